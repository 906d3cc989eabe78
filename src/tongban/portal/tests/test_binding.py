"""A freshman binds their account with ID number + student number; inside WeChat their
openid is bound too (WeChat's OAuth answered by a local server). Wrong pairs get one
neutral message and count towards the lockout; a person bound to someone else gets
that same message (naming where to ask), and the attempt is on the trail."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tongban.accounts.models import User
from tongban.audit.models import AuditEntry
from tongban.people.binding import neutral_message
from tongban.people.models import Person

pytestmark = pytest.mark.django_db
WECHAT_UA = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI"


@pytest.fixture
def freshman(world):
    return world.person(name="新同学", student_number="2026010001")


def _bind(client, person, *, sno=None, password="Tongban-2026!", **extra):
    return client.post("/bind/", {"id_number": person.plain_id_number(), "student_number": sno or
                                  person.student_number, "password": password}, **extra)


def test_a_freshman_without_an_account_binds_and_is_logged_in(client, freshman):
    answer = _bind(client, freshman)
    assert answer.status_code == 302
    freshman.refresh_from_db()
    assert freshman.account.username == "2026010001"
    assert client.get("/").context["user"] == freshman.account
    assert AuditEntry.objects.filter(action="people.bind", object_id=str(freshman.pk)).count() == 1
    assert client.login(username="2026010001", password="Tongban-2026!")


def test_a_logged_in_account_binds_to_its_person(world, freshman, login):
    user = User.objects.create_user(username="someone", password="x")
    answer = _bind(login(user), freshman, password="")
    assert answer.status_code == 302
    freshman.refresh_from_db()
    assert freshman.account == user


@pytest.mark.parametrize("mistake", ["wrong_number", "wrong_id", "malformed_id", "not_listed"])
def test_every_wrong_pair_gets_the_same_neutral_message(client, world, freshman, mistake):
    other = world.person(name="别人", student_number="2026019999")
    data = {"id_number": freshman.plain_id_number(), "student_number": freshman.student_number,
            "password": "Tongban-2026!"}
    if mistake == "wrong_number":
        data["student_number"] = other.student_number
    elif mistake == "wrong_id":
        data["id_number"] = other.plain_id_number()
    elif mistake == "malformed_id":
        data["id_number"] = "12345"
    else:
        data["student_number"] = "1999000000"
    answer = client.post("/bind/", data)
    assert answer.status_code == 422
    assert neutral_message() in answer.content.decode()
    freshman.refresh_from_db()
    assert freshman.account is None and not User.objects.filter(username="2026010001").exists()


def test_guessing_is_throttled_per_student_number(client, freshman, world):
    stranger = world.person(name="陌生人")
    for _ in range(5):
        _bind(client, stranger, sno=freshman.student_number)
    answer = _bind(client, freshman)  # even the right pair, now
    assert answer.status_code == 422 and "尝试次数过多" in answer.content.decode()


def test_a_person_bound_to_another_account_gets_the_same_message_as_a_wrong_pair(client, world, freshman):
    _bind(client, freshman)
    client.logout()
    answer = _bind(client, freshman, password="Another-2026!")
    assert answer.status_code == 422
    assert neutral_message() in answer.content.decode()
    assert "已绑定其他账号" not in answer.content.decode()
    assert AuditEntry.objects.filter(action="people.bind_refused", object_id=str(freshman.pk)).count() == 1


def test_a_signed_in_account_binding_a_person_bound_to_another_gets_the_same_message(world, freshman, login):
    _bind(login(world.outsider), freshman, password="")
    client = login(User.objects.create_user(username="second-tab", password="x"))
    answer = _bind(client, freshman, password="")
    assert answer.status_code == 422
    assert neutral_message() in answer.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bindings_of_one_person_at_once_bind_one_account(world, freshman):
    from django.test import Client

    from tongban.conftest import at_once

    outcomes = at_once(2, lambda n: _bind(Client(), freshman, password=f"Tongban-2026!{n}",
                                          REMOTE_ADDR=f"10.5.0.{n}").status_code)
    assert sorted(outcomes) == [302, 422]
    assert User.objects.filter(username__startswith="2026010001").count() == 1


def test_a_weak_password_is_refused_before_the_pair_is_looked_at(client, world, freshman):
    right, wrong = _bind(client, freshman, password="123"), _bind(client, freshman, sno="1999000000", password="123")
    for answer in (right, wrong):
        assert answer.status_code == 422
        assert neutral_message() not in answer.content.decode()
        assert "密码" in answer.content.decode()


def test_the_lockout_counts_per_address_across_numbers(client, world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    freshman = world.person(name="新同学", student_number="2026010002")
    for n in range(3):
        client.post("/bind/", {"id_number": "110105200001010011", "student_number": f"X{n}",
                               "password": "Tongban-2026!"}, REMOTE_ADDR="10.1.1.1")
    from_there = _bind(client, freshman, REMOTE_ADDR="10.1.1.1")
    assert from_there.status_code == 422 and neutral_message() in from_there.content.decode()
    assert _bind(client, freshman, REMOTE_ADDR="10.1.1.2").status_code == 302


def test_a_weak_password_is_refused_naming_why(client, freshman):
    answer = _bind(client, freshman, password="123")
    assert answer.status_code == 422
    freshman.refresh_from_db()
    assert freshman.account is None


class FakeWechat(BaseHTTPRequestHandler):
    """Answers /sns/oauth2/access_token as WeChat does."""

    codes: dict[str, str] = {}
    calls: list[dict] = []

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        FakeWechat.calls.append({"path": url.path, **query})
        if url.path != "/sns/oauth2/access_token":
            body = {"errcode": 40001, "errmsg": "invalid path"}
        elif query.get("appid") != "wx-test" or query.get("secret") != "s3cret":
            body = {"errcode": 40125, "errmsg": "invalid appsecret"}
        elif query.get("code") in FakeWechat.codes:
            body = {"access_token": "AT", "expires_in": 7200, "refresh_token": "RT",
                    "openid": FakeWechat.codes.pop(query["code"]), "scope": "snsapi_base"}
        else:
            body = {"errcode": 40029, "errmsg": "invalid code"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def wechat(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWechat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFY_WECHAT = {**settings.NOTIFY_WECHAT, "app_id": "wx-test", "app_secret": "s3cret",
                              "api_base": base}
    settings.WECHAT_OAUTH_BASE = "https://open.weixin.qq.com"
    FakeWechat.codes.clear()
    FakeWechat.calls.clear()
    yield FakeWechat
    server.shutdown()
    server.server_close()


def _through_wechat(client, code="CODE1", openid="o-fresh"):
    start = client.get("/bind/", HTTP_USER_AGENT=WECHAT_UA)
    assert start.status_code == 302 and start["Location"].startswith("/accounts/wechat/")
    to_wechat = client.get(start["Location"], HTTP_USER_AGENT=WECHAT_UA)
    url = urlparse(to_wechat["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (url.netloc, url.path, url.fragment) == ("open.weixin.qq.com", "/connect/oauth2/authorize",
                                                    "wechat_redirect")
    assert (query["appid"], query["scope"], query["response_type"]) == ("wx-test", "snsapi_base", "code")
    assert query["redirect_uri"].endswith("/accounts/wechat/callback/")
    FakeWechat.codes[code] = openid
    return client.get("/accounts/wechat/callback/", {"code": code, "state": query["state"]},
                      HTTP_USER_AGENT=WECHAT_UA)


def test_inside_wechat_the_openid_is_bound_with_the_account(client, freshman, wechat):
    back = _through_wechat(client)
    assert back["Location"].startswith("/bind/")
    assert wechat.calls[-1]["grant_type"] == "authorization_code"
    _bind(client, freshman, HTTP_USER_AGENT=WECHAT_UA)
    freshman.refresh_from_db()
    assert freshman.account.wechat_openid == "o-fresh"


def test_next_time_in_wechat_the_bound_account_is_logged_in_silently(client, freshman, wechat):
    _through_wechat(client)
    _bind(client, freshman, HTTP_USER_AGENT=WECHAT_UA)
    client.logout()
    back = _through_wechat(client, code="CODE2")
    assert back.status_code == 302
    assert client.get("/").context["user"] == Person.objects.get(pk=freshman.pk).account


def test_a_refused_code_or_a_forged_state_leaves_the_visitor_on_the_binding_page(client, wechat):
    client.get("/accounts/wechat/", HTTP_USER_AGENT=WECHAT_UA)
    forged = client.get("/accounts/wechat/callback/", {"code": "X", "state": "forged"}, follow=True)
    assert "微信授权已过期" in forged.content.decode()
    start = client.get("/accounts/wechat/", HTTP_USER_AGENT=WECHAT_UA)
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    refused = client.get("/accounts/wechat/callback/", {"code": "used", "state": state}, follow=True)
    assert "微信授权失败（40029）" in refused.content.decode()
    assert "wechat_openid" not in client.session
