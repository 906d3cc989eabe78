"""The demo's staff who need a second factor come enrolled, and seed-demo prints each
one's key: typed into an authenticator, it signs them in."""

import base64
import re
import time
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP

from tongban.accounts.models import User
from tongban.accounts.second_factor import is_enrolled, needs_second_factor
from tongban.demo.seeding import DEMO_PASSWORD


def _code(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_every_demo_account_that_needs_a_second_factor_is_enrolled_and_its_key_printed(db):
    out = StringIO()
    call_command("seed-demo", people=10, stdout=out)
    printed = dict(re.findall(r"^  (\S+)\s+([A-Z2-7]{32})$", out.getvalue(), re.MULTILINE))
    needing = {u.username for u in User.objects.all() if needs_second_factor(u)}
    assert {"officer", "approver", "college", "sysadmin", "serviceadmin"} <= needing
    assert set(printed) == needing and all(is_enrolled(User.objects.get(username=u)) for u in needing)

    client = Client()
    client.post("/accounts/login/", {"username": "officer", "password": DEMO_PASSWORD})
    answer = client.post("/accounts/second-factor/", {"token": _code(printed["officer"])})
    assert answer.status_code == 302 and client.get("/workbench/").status_code == 200
