"""User names ignore case: T90001 logs in as t90001 on every login form, and no two
accounts may differ only by case."""

import pytest
from django.db import IntegrityError, transaction

from tongban.accounts.models import User
from tongban.accounts.services import create_user
from tongban.conftest import PASSWORD
from tongban.lib.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_a_staff_number_logs_in_whatever_case_it_is_typed_in(client, world):
    create_user(actor=None, username="t90001", password=PASSWORD)
    for typed in ("T90001", "t90001"):
        client.logout()
        answer = client.post("/accounts/login/", {"username": typed, "password": PASSWORD})
        assert answer.status_code == 302
        assert client.session["_auth_user_id"] == str(User.objects.get(username="t90001").pk)


def test_the_admin_login_ignores_case_too(client, world):
    create_user(actor=None, username="Keeper", password=PASSWORD, is_staff=True)
    answer = client.post("/admin/login/?next=/admin/", {"username": "KEEPER", "password": PASSWORD})
    assert answer.status_code == 302 and "_auth_user_id" in client.session


def test_making_an_account_refuses_a_name_taken_in_another_case(world):
    create_user(actor=None, username="T90002", password=PASSWORD)
    with pytest.raises(ApplicationError) as refused:
        create_user(actor=None, username="t90002", password=PASSWORD)
    assert refused.value.code == "username_taken" and refused.value.field == "username"


def test_the_database_refuses_two_names_differing_only_by_case_whoever_writes_them(world):
    User.objects.create(username="Twin")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="twin")


@pytest.mark.postgres
def test_the_migration_names_existing_accounts_that_differ_only_by_case(world):
    """Before the unique index is made, clashing accounts are named (not a bare
    integrity error). PostgreSQL: its schema changes roll back with the test."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("tongban.accounts.migrations.0003_username_ignores_case")
    constraint = next(c for c in User._meta.constraints if c.name == "username_unique_ignoring_case")
    with connection.schema_editor() as editor:
        editor.remove_constraint(User, constraint)
    User.objects.create(username="Zhang")
    User.objects.create(username="zhang")
    with pytest.raises(RuntimeError) as refused:
        migration.refuse_usernames_differing_only_by_case(apps, None)
    assert "Zhang、zhang" in str(refused.value)
