"""An unhandled error is mailed to ADMINS with every ID number in the report masked; with
SENTRY_DSN set, the error goes to Sentry as well, scrubbed the same way."""

import os
import subprocess
import sys

import pytest
from django.core import mail
from django.test import Client
from django.urls import path

from tongban.conftest import make_id
from tongban.lib.logfilter import scrub_event

NUMBER = make_id()


def broken(request):
    raise RuntimeError(f"failed on {request.POST.get('id_number')}")


urlpatterns = [path("broken/", broken)]


@pytest.mark.urls(__name__)
def test_an_unhandled_error_is_mailed_to_the_admins_with_id_numbers_masked(settings, db):
    settings.ADMINS = [("值班工程师", "oncall@example.cn")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEBUG = False
    answer = Client(raise_request_exception=False).post("/broken/", {"id_number": NUMBER})
    assert answer.status_code == 500
    (report,) = mail.outbox
    assert report.to == ["oncall@example.cn"]
    assert "RuntimeError" in report.body and NUMBER[:6] + "********" in report.body
    assert NUMBER not in report.subject + report.body and not report.alternatives


def test_sentry_events_are_scrubbed_of_id_numbers():
    event = {"exception": {"values": [{"value": f"bad {NUMBER}"}]}, "request": {"data": {"id": NUMBER}}}
    scrubbed = scrub_event(event, {})
    assert NUMBER not in str(scrubbed) and scrubbed["request"]["data"]["id"].startswith(NUMBER[:6] + "****")


def test_with_sentry_dsn_set_the_settings_start_sentry_with_the_scrubber(tmp_path):
    env = {**os.environ, "SENTRY_DSN": "https://key@127.0.0.1:9/1", "TONGBAN_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "tongban.settings"}
    code = ("import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
            "print(c.dsn, c.options['before_send'].__name__, c.options['send_default_pii'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["https://key@127.0.0.1:9/1", "scrub_event", "False"]
