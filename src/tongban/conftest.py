"""Shared arrangements for every app's tests: a small world of org units and personas.

Personas (named for what they are, like healthchecks' alice/bob/charlie):
- applicant: a student of 经济学院, bound to a person record
- college_admin: counsellor of 经济学院 (sees that college only)
- officer: security office household officer (the whole university)
- clerk, auxiliary: window staff at 东门派出所
- approver: 东城分局
- auditor, sysadmin, outsider (an account with no role at all)
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import connection

from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Role
from tongban.accounts.services import create_org_unit, create_user, grant_role
from tongban.people import idnumber
from tongban.people.models import Category, Person
from tongban.people.services import create_person, link_account

PASSWORD = "correct-horse-battery"


def pytest_configure(config):
    """Compile the zh_Hans catalogs that are newer than their .mo before any test renders
    a page, so the suite sees the Chinese of the .po files as they are now (`make run`
    runs compilemessages). Each .mo is written aside and moved into place, so xdist's
    workers compiling at once never read half a file."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    here = Path(__file__).resolve().parent
    compiled = False
    for po in [*here.glob("locale/*/LC_MESSAGES/*.po"), *here.glob("*/locale/*/LC_MESSAGES/*.po")]:
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if not shutil.which("msgfmt"):
            raise pytest.UsageError("the catalogs need GNU gettext's msgfmt: apt-get install gettext")
        aside = mo.with_suffix(f".{os.getpid()}.tmp")
        subprocess.run(["msgfmt", "--check-format", "-o", str(aside), str(po)], check=True)
        os.replace(aside, mo)
        compiled = True
    if compiled:
        # Django was set up before this conftest loaded, and may already hold the catalogs
        # as they were: forget them (as Django's tests do when LANGUAGE_CODE changes).
        import gettext

        from asgiref.local import Local
        from django.utils.translation import trans_real

        gettext._translations.clear()  # Python's own cache of each .mo file read, by path
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()
        trans_real.translation_catalog_exists.cache_clear()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real row locks and triggers: they run in the
    PostgreSQL pass of `make test` and are left out (deselected) of the SQLite pass."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fast_and_immediate(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic before tests: serve static names as they are, not from a manifest.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.cache import cache
    from huey.contrib.djhuey import HUEY

    from tongban.lib.configcache import clear_all

    HUEY.immediate = True
    cache.clear()
    clear_all()  # a rolled-back test sends no signal to forget what it kept
    yield
    cache.clear()
    clear_all()


@pytest.fixture(autouse=True)
def _no_id_number_leaves_in_a_message(request):
    """Every message written during the suite, by any test of any app, is scanned
    before its test's database goes away: none may carry a raw ID number (the notify
    service masks them; this proves nothing slips past it)."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames)
    if not uses_db:
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    yield
    from tongban.lib.masking import contains_id_number
    from tongban.notify.models import Message

    for row in Message.objects.values("pk", "subject", "body", "context", "link", "error", "key"):
        text = " ".join(str(v) for v in row.values())
        assert not contains_id_number(text), f"message {row['pk']} carries an ID number"


_ids = itertools.count(1)


def make_id(birth: dt.date = dt.date(2005, 3, 14), region: str = "110105") -> str:
    """A fresh, valid synthetic ID number."""
    return idnumber.make(region, birth, next(_ids))


@dataclass
class World:
    univ: OrgUnit
    security: OrgUnit
    econ: OrgUnit
    law: OrgUnit
    city: OrgUnit
    east: OrgUnit
    east_1: OrgUnit
    west: OrgUnit
    applicant: User
    applicant_person: Person
    college_admin: User
    officer: User
    clerk: User
    auxiliary: User
    approver: User
    auditor: User
    sysadmin: User
    outsider: User

    def person(self, *, unit: OrgUnit | None = None, name: str = "张三", student_number: str = "",
               category: str = Category.UNDERGRADUATE, **kwargs) -> Person:
        return create_person(actor=None, name=name, id_number=kwargs.pop("id_number", None) or make_id(),
                             category=category, org_unit=unit or self.econ,
                             student_number=student_number or f"S{next(_ids):07d}", **kwargs)


def _user(username: str, role: str | None, unit: OrgUnit | None) -> User:
    user = create_user(actor=None, username=username, password=PASSWORD, display_name=username)
    if role:
        grant_role(actor=None, user=user, role=role, org_unit=unit)
    return user


@pytest.fixture
def world(db) -> World:
    unit = lambda code, name, kind, parent=None: create_org_unit(  # noqa: E731
        actor=None, code=code, name=name, kind=kind, parent=parent)
    univ = unit("univ", "示例大学", OrgUnit.Kind.UNIVERSITY)
    security = unit("univ-security", "保卫处", OrgUnit.Kind.OFFICE, univ)
    econ = unit("univ-econ", "经济学院", OrgUnit.Kind.COLLEGE, univ)
    law = unit("univ-law", "法学院", OrgUnit.Kind.COLLEGE, univ)
    city = unit("city", "示例市公安局", OrgUnit.Kind.CITY_BUREAU)
    east = unit("city-east", "东城分局", OrgUnit.Kind.BRANCH, city)
    east_1 = unit("east-1", "东门派出所", OrgUnit.Kind.STATION, east)
    west = unit("city-west", "西城分局", OrgUnit.Kind.BRANCH, city)
    applicant = _user("applicant", Role.APPLICANT, econ)
    w = World(
        univ=univ, security=security, econ=econ, law=law, city=city, east=east, east_1=east_1,
        west=west, applicant=applicant, applicant_person=None,  # type: ignore[arg-type]
        college_admin=_user("college_admin", Role.COLLEGE_ADMIN, econ),
        officer=_user("officer", Role.OFFICER, univ),
        clerk=_user("clerk", Role.CLERK, east_1),
        auxiliary=_user("auxiliary", Role.AUXILIARY, east_1),
        approver=_user("approver", Role.APPROVER, east),
        auditor=_user("auditor", Role.AUDITOR, univ),
        sysadmin=_user("sysadmin", Role.SYSADMIN, univ),
        outsider=_user("outsider", None, None),
    )
    w.applicant_person = link_account(actor=None, person=w.person(name="李同学"), user=applicant)
    return w


TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, in hex


def enrolled_device(user: User):
    """`user`'s confirmed TOTP authenticator, made with a known key if it has none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", key=TOTP_KEY, confirmed=True)


def totp_code(device) -> str:
    """The code `device` accepts now: the current step's, or the next one's when the
    current step was used already (django-otp refuses a replayed step)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client, user: User) -> None:
    """Mark `client`'s session as having passed the second factor for `user` (staff who
    need one), as the verify page would."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from tongban.accounts.second_factor import needs_second_factor

    if needs_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = enrolled_device(user).persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` skips the password; for staff who need a second factor
    it skips that too, so every test that signs a persona in reaches its pages. Tests of
    the second factor itself sign in through the login form."""
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def login(client):
    """`login(user)` logs the test client in as that persona (second factor passed, for
    staff who need one) and returns the client."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def sign_in(page, base: str, username: str) -> None:
    """Log the browser page in as a persona (cookies of the previous one cleared), with
    the authenticator's code for staff who need a second factor."""
    from tongban.accounts.second_factor import needs_second_factor

    user = User.objects.get(username=username)
    device = enrolled_device(user) if needs_second_factor(user) else None
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if device is not None:
        page.wait_for_url("**/accounts/second-factor/**")
        page.fill("#id_token", totp_code(device))
        page.click("button[type=submit]")


@pytest.fixture
def phone(monkeypatch):
    """A phone-sized headless Chromium page (Debian's chromium driven by Playwright)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test
    # makes between browser steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        yield context.new_page()
        browser.close()


def at_once(count: int, work) -> list:
    """`work(n)` for n in range(count), each in its own thread and on its own
    connection, released together; returns what each returned or the exception it
    raised, in n's order. For tests of what real concurrent writers do (PostgreSQL)."""
    start = threading.Barrier(count)
    outcomes: list = [None] * count

    def worker(n: int) -> None:
        try:
            start.wait()
            outcomes[n] = work(n)
        except BaseException as exc:  # returned to the test
            outcomes[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return outcomes


def failures(outcomes: list) -> list[BaseException]:
    return [o for o in outcomes if isinstance(o, BaseException)]


@contextmanager
def while_another_holds(model, pk, *, wait: str = "2s"):
    """PostgreSQL: another connection holds `model`'s row `pk` locked (FOR UPDATE) while
    the block runs, and this connection gives up waiting for a lock after `wait`: what
    the block does must neither wait for that row nor fail."""
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                list(model.objects.select_for_update().filter(pk=pk).values_list("pk"))
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    t = threading.Thread(target=holder)
    t.start()
    try:
        assert holding.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{wait}'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    finally:
        release.set()
        t.join(timeout=30)
