"""Deactivating an account signs it out everywhere at once: its next request is
anonymous, whether sessions live in the database or are read from a cache."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from tongban.accounts.services import deactivate_user
from tongban.audit.models import AuditEntry
from tongban.lib.errors import NotAllowed

pytestmark = pytest.mark.django_db
CACHED = override_settings(SESSION_ENGINE="tongban.accounts.sessions", CACHES={
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "deactivation"}})


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/workbench/").status_code == 200
    return client


def test_a_deactivated_users_next_request_is_signed_out_and_their_sessions_are_gone(world):
    phone, desk = _signed_in(world.clerk), _signed_in(world.clerk)
    assert deactivate_user(actor=world.sysadmin, user=world.clerk) is True
    for client in (phone, desk):
        answer = client.get("/workbench/")
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(world.clerk.pk)]
    entry = AuditEntry.objects.get(action="account.deactivate")
    assert entry.actor == world.sysadmin and entry.details == {"sessions_ended": 2}


def test_with_cached_sessions_a_deactivated_user_is_signed_out_at_once(world):
    with CACHED:
        client = _signed_in(world.clerk)
        deactivate_user(actor=world.sysadmin, user=world.clerk)
        assert client.get("/workbench/").status_code == 302


def test_deactivated_in_the_admin_form_the_next_request_is_still_signed_out(world):
    """Whoever flips is_active (the admin's change form writes it directly)."""
    with CACHED:
        client = _signed_in(world.clerk)
        type(world.clerk).objects.filter(pk=world.clerk.pk).update(is_active=False)
        assert client.get("/workbench/").status_code == 302


def test_only_an_admin_may_deactivate_and_a_refusal_changes_nothing(world):
    with pytest.raises(NotAllowed):
        deactivate_user(actor=world.clerk, user=world.officer)
    world.officer.refresh_from_db()
    assert world.officer.is_active and not AuditEntry.objects.filter(action="account.deactivate").exists()


def test_the_admins_user_list_deactivates_the_selected_accounts(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    victim = _signed_in(world.clerk)
    login(world.sysadmin).post("/admin/accounts/user/", {
        "action": "deactivate_users", "_selected_action": [world.clerk.pk]})
    assert victim.get("/workbench/").status_code == 302
    world.clerk.refresh_from_db()
    assert not world.clerk.is_active
