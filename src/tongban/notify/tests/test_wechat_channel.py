"""WeChat template messages go to the official-account API, here a local server that
issues access tokens and answers sends with WeChat's error codes: the token is shared
through the cache and fetched again when WeChat says it is no longer valid; an
unsubscribed user is given up, "system busy" and quota limits are tried again later.
Only people with a bound openid get a WeChat message at all."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tongban.notify import relay
from tongban.notify.models import Message, Template
from tongban.notify.services import notify, set_preference
from tongban.notify.tests import servers

OPENID = "o-wang-openid"  # the `reachable` persona's
APP_ID, SECRET = "wx0123456789abcdef", "test-app-secret"
SITE = "https://tongban.example.edu.cn"


@pytest.fixture
def follower(reachable):
    """The `reachable` student, taking account messages on WeChat; the notify.test
    WeChat template bound to its template id."""
    set_preference(actor=reachable, kind="account", channels=["wechat"])
    Template.objects.filter(event="notify.test", channel="wechat").update(provider_template="TPL-notify-test")
    return reachable


@pytest.fixture
def wechat(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.SITE_URL = SITE
    with servers.WechatApi(app_id=APP_ID, app_secret=SECRET) as server:
        settings.NOTIFY_WECHAT = settings.NOTIFY_WECHAT | {"api_base": server.url, "app_id": APP_ID,
                                                           "app_secret": SECRET}
        settings.NOTIFY_TRANSPORTS = settings.NOTIFY_TRANSPORTS | {
            "wechat": "tongban.notify.transports.wechat.WechatTemplateMessage"}
        yield server


def _queue(user, key: str = "t") -> Message:
    with transaction.atomic():
        notify(event="notify.test", recipients=[user], key=key, context={"time": "2026-11-23 10:00"},
               link="/inbox/")
    return Message.objects.get(recipient=user, channel="wechat", key__startswith=f"{key}:")


def _make_due(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def _state(message: Message) -> tuple:
    message.refresh_from_db()
    return message.status, message.attempts, message.error


@pytest.mark.django_db
def test_a_template_message_goes_to_the_openid_with_the_rendered_data_and_an_absolute_link(follower, wechat):
    message = _queue(follower)
    assert relay.relay().sent == 1
    assert _state(message) == ("sent", 1, "")
    assert message.provider_id == "2000001"
    assert wechat.sent == [{
        "touser": OPENID, "template_id": "TPL-notify-test", "url": f"{SITE}/inbox/",
        "data": {"first": {"value": "测试通知"}, "keyword1": {"value": "王同学"},
                 "keyword2": {"value": "2026-11-23 10:00"}, "remark": {"value": "收到即说明微信通知可用。"}},
    }]


@pytest.mark.django_db
def test_the_token_is_fetched_once_and_shared_by_the_next_messages(follower, wechat):
    _queue(follower, key="one")
    _queue(follower, key="two")
    assert relay.relay().sent == 2
    assert (wechat.token_calls, wechat.send_calls) == (1, 2)


@pytest.mark.django_db
def test_a_token_wechat_no_longer_accepts_is_fetched_again_and_the_message_still_goes_out(follower, wechat):
    first = _queue(follower, key="one")
    relay.relay()
    wechat.revoke_tokens()  # expired, or another client fetched a newer one
    message = _queue(follower, key="two")
    assert relay.relay().sent == 1
    assert _state(first)[0] == "sent"
    assert _state(message) == ("sent", 1, "")
    assert (wechat.token_calls, wechat.send_calls, len(wechat.sent)) == (2, 3, 2)
    assert cache.get(f"notify:wechat-token:{APP_ID}") == "ACCESS_TOKEN_2"


@pytest.mark.django_db
def test_a_token_refused_twice_is_tried_again_later(follower, wechat):
    wechat.errcodes.extend([40001, 40001])  # refused even with a token just fetched
    message = _queue(follower)
    relay.relay()
    status, attempts, error = _state(message)
    assert (status, attempts) == ("failed", 1)
    assert error.startswith("微信暂时不可用：40001 invalid credential")
    assert (wechat.token_calls, wechat.send_calls) == (2, 2)


@pytest.mark.django_db
def test_a_wrong_app_id_fails_at_the_token_and_is_tried_again_later(follower, wechat, settings):
    settings.NOTIFY_WECHAT = settings.NOTIFY_WECHAT | {"app_id": "wx-not-ours"}
    message = _queue(follower)
    relay.relay()
    status, attempts, error = _state(message)
    assert (status, attempts) == ("failed", 1)
    assert error.startswith("获取微信 access_token 失败：40013 invalid appid")
    assert message.next_attempt_at > timezone.now()
    assert wechat.send_calls == 0


@pytest.mark.django_db
def test_a_user_who_unfollowed_the_account_is_given_up_at_once(follower, wechat):
    wechat.errcodes.append(43004)
    message = _queue(follower)
    assert relay.relay().dead == 1
    assert _state(message) == ("dead", 1, "微信拒绝：用户未关注公众号（43004）")
    assert message.next_attempt_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("errcode", [-1, 45009])
def test_system_busy_and_quota_limits_are_tried_again_later_then_delivered(follower, wechat, errcode):
    wechat.errcodes.append(errcode)
    message = _queue(follower)
    relay.relay()
    status, attempts, error = _state(message)
    assert (status, attempts) == ("failed", 1)
    assert error.startswith(f"微信暂时不可用：{errcode} {servers.WechatApi.ERRMSG[errcode]}")
    assert relay.relay().tried == 0
    _make_due(message)
    relay.relay()
    assert _state(message) == ("sent", 2, "")
    assert len(wechat.sent) == 1


@pytest.mark.django_db
def test_a_template_without_a_template_id_is_given_up_with_a_clear_error(follower, wechat):
    Template.objects.filter(event="notify.test", channel="wechat").update(provider_template="")
    message = _queue(follower)
    relay.relay()
    assert _state(message) == ("dead", 1, "微信模板未填写模板 ID")
    assert wechat.token_calls + wechat.send_calls == 0


@pytest.mark.django_db
def test_a_user_without_an_openid_never_gets_a_wechat_message(follower, wechat):
    follower.wechat_openid = ""
    follower.save(update_fields=["wechat_openid"])
    with transaction.atomic():
        notify(event="notify.test", recipients=[follower], key="t", context={"time": "2026-11-23 10:00"})
    assert list(Message.objects.filter(recipient=follower).values_list("channel", flat=True)) == ["inbox"]
    assert relay.relay().tried == 0
    assert wechat.token_calls == 0


@pytest.mark.django_db
def test_the_embedded_default_writes_one_line_per_message(follower, settings, tmp_path):
    outbox = tmp_path / "wechat.jsonl"
    settings.SITE_URL = SITE
    settings.NOTIFY_WECHAT = settings.NOTIFY_WECHAT | {"file": str(outbox)}
    settings.NOTIFY_TRANSPORTS = settings.NOTIFY_TRANSPORTS | {"wechat": "tongban.notify.transports.wechat.FileWechat"}
    message = _queue(follower)
    relay.relay()
    message.refresh_from_db()
    assert (message.status, message.provider_id) == ("sent", f"file-{message.pk}")
    assert [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()] == [{
        "id": message.pk, "template_id": "TPL-notify-test", "url": f"{SITE}/inbox/",
        "data": {"first": "测试通知", "keyword1": "王同学", "keyword2": "2026-11-23 10:00",
                 "remark": "收到即说明微信通知可用。"}}]
