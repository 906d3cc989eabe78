"""The workbench home offers each staff area to whoever may use it, and only to them."""

import pytest

pytestmark = pytest.mark.django_db


def _home(login, user) -> str:
    answer = login(user).get("/workbench/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_system_admin_finds_the_other_systems_and_an_officer_does_not(world, login):
    assert 'href="/workbench/interop/"' in _home(login, world.sysadmin)
    assert 'href="/workbench/interop/"' not in _home(login, world.officer)
