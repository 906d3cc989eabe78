"""Entries made during a web request carry the client's address and user agent; the
middleware puts them where the trail finds them, without passing `request` around."""

from tongban.accounts.models import OrgUnit
from tongban.accounts.services import create_org_unit
from tongban.audit.models import AuditEntry
from tongban.conftest import PASSWORD

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 通办测试"


def _log_in(client, username: str, password: str = PASSWORD, **meta):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER, **meta)


def test_a_login_is_recorded_with_address_browser_and_who(world, client):
    response = _log_in(client, "officer")

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="account.login")
    assert (entry.ip, entry.user_agent) == ("203.0.113.7", BROWSER)
    assert (entry.actor_id, entry.actor_name, entry.role, entry.org_unit_id, entry.org_unit_name) == (
        world.officer.pk, "officer", "officer", world.univ.pk, "示例大学")
    assert (entry.object_type, entry.object_id, entry.summary) == (
        "accounts.user", str(world.officer.pk), "officer 登录")


def test_a_forwarded_for_header_is_ignored_unless_the_proxy_is_trusted(world, client, settings):
    _log_in(client, "officer", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert AuditEntry.objects.get(action="account.login").ip == "203.0.113.7"

    settings.TRUST_X_FORWARDED_FOR = True
    client.logout()
    _log_in(client, "clerk", HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.2")
    assert AuditEntry.objects.get(action="account.login", actor_id=world.clerk.pk).ip == "198.51.100.1"


def test_a_lockout_is_recorded_with_the_guessers_address(world, client, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _log_in(client, "officer", password="wrong-password").status_code == 200

    entry = AuditEntry.objects.get(action="account.login_locked")
    assert (entry.ip, entry.user_agent, entry.actor_id, entry.details) == (
        "203.0.113.7", BROWSER, None, {"username": "officer"})


def test_an_entry_made_outside_a_request_has_no_origin(world, client):
    _log_in(client, "officer")

    # After the request: the address must not linger for whatever the process does next.
    unit = create_org_unit(actor=None, code="univ-med", name="医学院", kind=OrgUnit.Kind.COLLEGE,
                           parent=world.univ)

    entry = AuditEntry.objects.get(action="org.create", object_id=str(unit.pk))
    assert (entry.ip, entry.user_agent) == ("", "")
