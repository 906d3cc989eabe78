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
