"""Every form that proves who someone is locks out after repeated failures (django-axes
with the handler of accounts/lockout.py), per account and per client address, and an
admin can lift a lock, on the trail."""

import time

import pytest
from django.test import Client

from tongban.accounts.forms import LOGIN_FAILED
from tongban.accounts.services import create_user
from tongban.audit.models import AuditEntry
from tongban.conftest import PASSWORD, enrolled_device

pytestmark = pytest.mark.django_db
LOGIN, ADMIN_LOGIN, UNLOCK = "/accounts/login/", "/admin/login/?next=/admin/", "/accounts/unlock/"


def _login(client, username, password, url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


@pytest.fixture
def keeper(world):
    return create_user(actor=None, username="keeper", password=PASSWORD, is_staff=True)


def test_twenty_wrong_passwords_at_the_admin_login_then_the_right_one_is_refused(client, keeper):
    for _ in range(20):
        _login(client, "keeper", "wrong", ADMIN_LOGIN)
    answer = _login(client, "keeper", PASSWORD, ADMIN_LOGIN)
    assert answer.status_code == 200 and "_auth_user_id" not in client.session


def test_the_admin_login_is_locked_by_failures_at_the_applicants_form_too(client, keeper):
    for _ in range(5):
        _login(client, "KEEPER", "wrong")
    assert "_auth_user_id" not in _login(client, "keeper", PASSWORD, ADMIN_LOGIN).client.session


def test_a_lock_lifts_once_the_cool_off_has_passed(client, world, settings):
    settings.LOGIN_LOCK_SECONDS = 1
    for _ in range(5):
        _login(client, "clerk", "wrong")
    assert str(LOGIN_FAILED) in _login(client, "clerk", PASSWORD).content.decode()
    time.sleep(1.2)
    assert _login(client, "clerk", PASSWORD).status_code == 302


def test_a_locked_account_is_locked_from_every_address(world):
    for n in range(5):
        _login(Client(), "clerk", "wrong", REMOTE_ADDR=f"10.2.0.{n}")
    assert str(LOGIN_FAILED) in _login(Client(), "clerk", PASSWORD, REMOTE_ADDR="10.2.0.99").content.decode()


def test_an_admin_unlocks_an_account_at_once_and_it_is_on_the_trail(client, world, login):
    for _ in range(5):
        _login(client, "clerk", "wrong")
    admin = login(world.sysadmin)
    assert admin.get(UNLOCK).status_code == 200  # a GET shows the form and unlocks nothing
    assert str(LOGIN_FAILED) in _login(Client(), "clerk", PASSWORD).content.decode()
    assert admin.post(UNLOCK, {"username": "Clerk"}).status_code == 302
    assert _login(Client(), "clerk", PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="account.unlock")
    assert entry.actor == world.sysadmin and entry.details["was_locked"] is True


def test_an_admin_unlocks_a_client_address(world, login, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        _login(Client(), f"guess{n}", "wrong", REMOTE_ADDR="10.3.3.3")
    assert str(LOGIN_FAILED) in _login(Client(), "clerk", PASSWORD, REMOTE_ADDR="10.3.3.3").content.decode()
    login(world.sysadmin).post(UNLOCK, {"address": "10.3.3.3"})
    assert _login(Client(), "clerk", PASSWORD, REMOTE_ADDR="10.3.3.3").status_code == 302


def test_unlocking_is_refused_to_staff_without_the_right_and_changes_nothing(client, world, login):
    for _ in range(5):
        _login(client, "officer", "wrong")
    assert login(world.clerk).post(UNLOCK, {"username": "officer"}).status_code == 403
    assert not AuditEntry.objects.filter(action="account.unlock").exists()
    assert str(LOGIN_FAILED) in _login(Client(), "officer", PASSWORD).content.decode()


def test_the_unlock_form_names_what_is_missing(world, login):
    answer = login(world.sysadmin).post(UNLOCK, {"username": "", "address": "not-an-address"})
    assert answer.status_code == 422
    assert not AuditEntry.objects.filter(action="account.unlock").exists()


def test_the_admins_user_list_unlocks_the_selected_accounts(client, world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    for _ in range(5):
        _login(client, "clerk", "wrong")
    answer = login(world.sysadmin).post("/admin/accounts/user/", {
        "action": "unlock_logins", "_selected_action": [world.clerk.pk]})
    assert answer.status_code == 302
    assert _login(Client(), "clerk", PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="account.unlock", actor=world.sysadmin).count() == 1


def test_wrong_second_factor_codes_count_towards_the_accounts_lockout(client, world):
    enrolled_device(world.officer)
    _login(client, "officer", PASSWORD)
    for _ in range(5):
        client.post("/accounts/second-factor/", {"token": "000000"})
    client.logout()
    assert str(LOGIN_FAILED) in _login(client, "officer", PASSWORD).content.decode()


def test_a_forged_unlock_from_another_site_is_refused(client, world):
    for _ in range(5):
        _login(client, "clerk", "wrong")
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(world.sysadmin)
    assert forged.post(UNLOCK, {"username": "clerk"}).status_code == 403
    assert not AuditEntry.objects.filter(action="account.unlock").exists()
    assert str(LOGIN_FAILED) in _login(Client(), "clerk", PASSWORD).content.decode()
