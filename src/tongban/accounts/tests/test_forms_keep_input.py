"""The accounts' posting pages read their input through forms: a refusal is shown next to
its field, in Chinese, with what was typed (and where to go afterwards) kept."""

from tongban.accounts.forms import LOGIN_FAILED
from tongban.audit.models import AuditEntry
from tongban.conftest import PASSWORD

LOGIN = "/accounts/login/"


def test_a_failed_login_keeps_the_username_and_where_to_go_afterwards(client, world):
    answer = client.post(LOGIN, {"username": "clerk", "password": "wrong", "next": "/workbench/people/"})
    page = answer.content.decode()
    assert answer.status_code == 200 and str(LOGIN_FAILED) in page
    assert 'name="username" value="clerk"' in page
    assert 'name="next" value="/workbench/people/"' in page  # the form carries it, not only the query string
    assert "_auth_user_id" not in client.session
    right = client.post(LOGIN, {"username": "clerk", "password": PASSWORD, "next": "/workbench/people/"})
    assert right["Location"] == "/workbench/people/"


def test_a_next_to_another_site_is_not_followed(client, world):
    answer = client.post(LOGIN, {"username": "clerk", "password": PASSWORD, "next": "https://evil.example/"})
    assert answer["Location"] == "/workbench/"


def test_the_admins_password_page_refuses_a_disabled_password_posted_with_the_set_button(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    client = login(world.sysadmin)
    before = world.clerk.password
    answer = client.post(f"/admin/accounts/user/{world.clerk.pk}/password/",
                         {"usable_password": "false", "password1": "", "password2": ""})
    assert answer.status_code == 200
    assert "提交的表单数据存在冲突。请再试一次。" in answer.content.decode()
    world.clerk.refresh_from_db()
    assert world.clerk.password == before and world.clerk.has_usable_password()
    assert not AuditEntry.objects.filter(object_id=str(world.clerk.pk), action__startswith="account.password").exists()
