import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from tongban.accounts.forms import LOGIN_FAILED
from tongban.audit.models import AuditEntry
from tongban.conftest import PASSWORD

LOGIN = "/accounts/login/"


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_a_clerk_logs_in_and_lands_on_the_workbench(client, world):
    response = post_login(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    assert AuditEntry.objects.filter(action="account.login", actor=world.clerk).count() == 1


def test_an_applicant_lands_on_the_portal(client, world):
    response = post_login(client, "applicant", PASSWORD)
    assert response["Location"] == "/"


def test_login_rotates_the_session_id(client, world):
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    post_login(client, "clerk", PASSWORD)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_every_failure_gets_the_same_message(client, world):
    wrong_password = post_login(client, "clerk", "wrong")
    unknown_user = post_login(client, "nobody", "wrong")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert str(LOGIN_FAILED) in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        post_login(client, "clerk", "wrong")
    locked = post_login(client, "clerk", PASSWORD)
    assert locked.status_code == 200
    assert str(LOGIN_FAILED) in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="account.login_locked").count() == 1
    # Another account from the same address is not locked by these five.
    assert post_login(client, "officer", PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client, world, settings):
    for i in range(50):
        post_login(client, f"guess{i}", "wrong", REMOTE_ADDR="10.9.9.9")
    throttled = post_login(client, "clerk", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert str(LOGIN_FAILED) in throttled.content.decode()
    assert post_login(client, "clerk", PASSWORD, REMOTE_ADDR="10.9.9.10").status_code == 302


def test_a_success_clears_earlier_failures(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    post_login(client, "clerk", "wrong")
    post_login(client, "clerk", "wrong")
    assert post_login(client, "clerk", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    post_login(client, "clerk", "wrong")
    post_login(client, "clerk", "wrong")
    assert post_login(client, "clerk", PASSWORD).status_code == 302


def test_an_idle_session_expires(client, world, settings):
    post_login(client, "clerk", PASSWORD)
    assert client.get("/workbench/").status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_request_pushes_the_idle_deadline_forward(client, world):
    post_login(client, "clerk", PASSWORD)
    key = client.cookies["sessionid"].value
    soon = timezone.now() + dt.timedelta(seconds=60)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get("/workbench/")
    assert Session.objects.get(session_key=key).expire_date > soon


def test_next_may_not_point_to_another_site(client, world):
    response = client.post(LOGIN + "?next=https://evil.example/", {"username": "clerk", "password": PASSWORD,
                                                                   "next": "https://evil.example/"})
    assert response["Location"] == "/workbench/"


def test_next_within_the_site_is_followed(client, world):
    response = client.post(LOGIN, {"username": "clerk", "password": PASSWORD, "next": "/workbench/people/"})
    assert response["Location"] == "/workbench/people/"


def test_logout_needs_a_post(client, world):
    post_login(client, "clerk", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_the_deadline_is_pushed_at_most_once_a_minute(client, world, settings):
    post_login(client, "clerk", PASSWORD)
    key = client.cookies["sessionid"].value
    client.get("/workbench/")
    soon = timezone.now() + dt.timedelta(seconds=60)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get("/workbench/")  # pushed a moment ago: no write
    assert Session.objects.get(session_key=key).expire_date == soon
    session = client.session
    session["_pushed"] -= settings.SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get("/workbench/")
    assert Session.objects.get(session_key=key).expire_date > soon
