"""Staff who approve, unmask or administer sign in with a second factor: after the
password they reach nothing but the verify (or enrol) page until a TOTP code or a
recovery code is accepted; the server enforces it for every page and the API."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.accounts import second_factor
from tongban.accounts.services import create_user
from tongban.audit.models import AuditEntry
from tongban.conftest import PASSWORD, at_once, enrolled_device, totp_code

pytestmark = pytest.mark.django_db
VERIFY, ENROL = "/accounts/second-factor/", "/accounts/second-factor/enrol/"


def _password(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_who_needs_a_second_factor(world):
    needs = {u.username for u in (world.applicant, world.clerk, world.auxiliary, world.officer, world.approver,
                                  world.college_admin, world.auditor, world.sysadmin, world.outsider)
             if second_factor.needs_second_factor(u)}
    assert needs == {"officer", "approver", "college_admin", "sysadmin"}
    assert second_factor.needs_second_factor(create_user(actor=None, username="admin-site", password=PASSWORD,
                                                         is_staff=True))


def test_an_officer_is_sent_to_verify_after_the_password_and_gets_in_with_the_code(client, world):
    device = enrolled_device(world.officer)
    answer = _password(client, "officer")
    assert answer["Location"] == f"{VERIFY}?next=%2Fworkbench%2F"
    assert client.get("/workbench/people/")["Location"] == f"{VERIFY}?next=%2Fworkbench%2Fpeople%2F"
    assert client.get(f"{VERIFY}?next=/workbench/").status_code == 200
    answer = client.post(VERIFY, {"token": totp_code(device), "next": "/workbench/"})
    assert answer["Location"] == "/workbench/"
    assert client.get("/workbench/people/").status_code == 200
    assert AuditEntry.objects.filter(action="account.otp_verify", actor=world.officer).count() == 1


def test_a_clerk_needs_no_second_factor(client, world):
    assert _password(client, "clerk")["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200


def test_an_unverified_session_is_refused_by_the_api_and_the_admin(client, world):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    enrolled_device(world.sysadmin)
    _password(client, "sysadmin")
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    assert client.get("/admin/accounts/user/")["Location"].startswith(VERIFY)


def test_a_wrong_code_is_refused_naming_the_field_and_opens_nothing(client, world):
    enrolled_device(world.officer)
    _password(client, "officer")
    answer = client.post(VERIFY, {"token": "12345x"})
    assert answer.status_code == 422 and str(second_factor.INVALID) in answer.content.decode()
    assert client.get("/workbench/").status_code == 302


def test_a_code_used_in_one_tab_is_refused_in_another(world):
    device = enrolled_device(world.officer)
    first, second = Client(), Client()
    _password(first, "officer")
    _password(second, "officer")
    code = totp_code(device)
    assert first.post(VERIFY, {"token": code}).status_code == 302
    assert second.post(VERIFY, {"token": code}).status_code == 422


def test_verify_without_a_password_first_goes_to_the_login_page(client, world):
    device = enrolled_device(world.officer)
    answer = client.post(VERIFY, {"token": totp_code(device)})
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_passing_the_second_factor_rotates_the_session_id(client, world):
    device = enrolled_device(world.officer)
    _password(client, "officer")
    before = client.cookies["sessionid"].value
    client.post(VERIFY, {"token": totp_code(device)})
    after = client.cookies["sessionid"].value
    assert after != before and not Session.objects.filter(session_key=before).exists()


def test_an_approver_without_an_authenticator_enrols_with_a_qr_code_and_gets_recovery_codes(client, world):
    assert _password(client, "approver")["Location"].startswith(ENROL)
    page = client.get(ENROL)
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=world.approver, confirmed=False)
    assert second_factor.secret_of(device) in page.content.decode()
    assert client.get(ENROL).context["secret"] == second_factor.secret_of(device)  # a reload keeps it
    done = client.post(ENROL, {"token": totp_code(device), "next": "/workbench/"})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert client.get("/workbench/").status_code == 200
    assert AuditEntry.objects.filter(action="account.otp_enrol", actor=world.approver).count() == 1
    # enrolled: the enrol page no longer offers a new key
    assert client.get(ENROL)["Location"] == VERIFY


def test_a_wrong_code_does_not_confirm_an_enrolment(client, world):
    _password(client, "approver")
    client.get(ENROL)
    answer = client.post(ENROL, {"token": "12345x"})
    assert answer.status_code == 422 and str(second_factor.INVALID) in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=world.approver, confirmed=True).exists()
    assert client.get("/workbench/")["Location"].startswith(ENROL)


def test_a_recovery_code_signs_in_once(client, world):
    device = TOTPDevice.objects.create(user=world.approver, name="x", confirmed=False)
    codes = second_factor.confirm_enrolment(user=world.approver, token=totp_code(device))
    _password(client, "approver")
    assert client.post(VERIFY, {"token": codes[0].upper()}).status_code == 302
    entry = AuditEntry.objects.get(action="account.otp_verify")
    assert entry.details == {"recovery_code": True, "recovery_codes_left": 9}
    client.post("/accounts/logout/")
    _password(client, "approver")
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 422


def test_an_admin_resets_a_lost_authenticator_and_the_next_sign_in_enrols_again(client, world, login):
    enrolled_device(world.officer)
    second_factor.reset_second_factor(actor=world.sysadmin, user=world.officer)
    assert not TOTPDevice.objects.filter(user=world.officer).exists()
    assert _password(client, "officer")["Location"].startswith(ENROL)
    assert AuditEntry.objects.filter(action="account.otp_reset", actor=world.sysadmin).count() == 1


def test_only_an_admin_may_reset_a_second_factor(world):
    from tongban.lib.errors import NotAllowed

    enrolled_device(world.officer)
    with pytest.raises(NotAllowed):
        second_factor.reset_second_factor(actor=world.clerk, user=world.officer)
    assert TOTPDevice.objects.filter(user=world.officer).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_code_sent_by_two_sessions_at_once_lets_one_in(world):
    device = enrolled_device(world.officer)
    clients = [Client(), Client()]
    for c in clients:
        _password(c, "officer")
    code = totp_code(device)
    outcomes = at_once(2, lambda n: clients[n].post(VERIFY, {"token": code}).status_code)
    assert sorted(outcomes) == [302, 422]


def test_the_admin_does_not_show_authenticator_keys_or_recovery_codes(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    admin = login(world.sysadmin)
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert admin.get("/admin/otp_static/staticdevice/").status_code == 404
