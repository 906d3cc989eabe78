"""Text messages go to Alibaba Cloud's Dysmsapi `SendSms`, here a local server that
checks the request and its signature as Alibaba documents them: the person's
decrypted phone, the provider template code and the rendered parameters are sent;
a number the provider calls illegal is given up, flow control and outages are tried
again later. The embedded default writes each text to a file with the phone masked."""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from tongban.notify import relay
from tongban.notify.models import Message, Template
from tongban.notify.services import notify, set_preference
from tongban.notify.tests import servers
from tongban.notify.transports.sms import sign

PHONE = "13812345678"  # the `reachable` persona's
KEY_ID, SECRET = "LTAI5tTestKeyId", "test-access-key-secret"
TIME = "2026-11-23 10:00~10:30 (*)"  # space, "~", "*" and brackets: the encodings that differ


@pytest.fixture
def texter(reachable):
    """The `reachable` student, taking account messages by text; the notify.test SMS
    template bound to its provider template code."""
    set_preference(actor=reachable, kind="account", channels=["sms"])
    Template.objects.filter(event="notify.test", channel="sms").update(provider_template="SMS_465001")
    return reachable


@pytest.fixture
def dysmsapi(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    with servers.Dysmsapi(access_key_id=KEY_ID, access_key_secret=SECRET) as server:
        settings.NOTIFY_SMS = settings.NOTIFY_SMS | {
            "endpoint": f"{server.url}/", "access_key_id": KEY_ID, "access_key_secret": SECRET,
            "sign_name": "通办测试"}
        settings.NOTIFY_TRANSPORTS = settings.NOTIFY_TRANSPORTS | {"sms": "tongban.notify.transports.sms.AliyunSms"}
        yield server


def _queue(user) -> Message:
    with transaction.atomic():
        notify(event="notify.test", recipients=[user], key="t", context={"time": TIME})
    return Message.objects.get(recipient=user, channel="sms")


def _make_due(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def _state(message: Message) -> tuple:
    message.refresh_from_db()
    return message.status, message.attempts, message.error


def test_the_signature_matches_alibabas_published_example():
    # The worked example of Alibaba's "HTTP protocol and signature" page for SendSms.
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }
    assert sign(params, "testSecret", method="GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert servers.aliyun_signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


@pytest.mark.django_db
def test_a_text_is_sent_with_the_decrypted_phone_the_template_code_and_the_rendered_params(texter, dysmsapi):
    message = _queue(texter)
    assert PHONE not in message.body + json.dumps(message.context)  # the outbox never holds the phone
    assert relay.relay().sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id, message.error) == ("sent", 1, "9001^0", "")
    [sent] = dysmsapi.accepted
    assert {k: sent[k] for k in ("PhoneNumbers", "TemplateCode", "SignName", "OutId", "RegionId")} == {
        "PhoneNumbers": PHONE, "TemplateCode": "SMS_465001", "SignName": "通办测试", "OutId": str(message.pk),
        "RegionId": "cn-hangzhou"}
    assert json.loads(sent["TemplateParam"]) == {"name": "王同学", "time": TIME}


@pytest.mark.django_db
def test_each_request_carries_a_fresh_nonce(texter, reachable, dysmsapi):
    _queue(texter)
    with transaction.atomic():
        notify(event="notify.test", recipients=[reachable], key="again", context={"time": TIME})
    assert relay.relay().sent == 2  # the server refuses a nonce it has seen
    assert len({sent["SignatureNonce"] for sent in dysmsapi.accepted}) == 2


@pytest.mark.django_db
def test_a_wrong_secret_is_refused_by_the_provider_and_tried_again_later(texter, dysmsapi, settings):
    settings.NOTIFY_SMS = settings.NOTIFY_SMS | {"access_key_secret": "not-the-secret"}
    message = _queue(texter)
    before = timezone.now()
    assert relay.relay().failed == 1
    assert _state(message) == (
        "failed", 1, "短信平台拒绝：SignatureDoesNotMatch Specified signature is not matched with our calculation.")
    assert message.next_attempt_at > before + dt.timedelta(seconds=29)
    assert dysmsapi.accepted == []


@pytest.mark.django_db
def test_a_number_the_provider_calls_illegal_is_given_up_at_once(texter, dysmsapi):
    dysmsapi.replies.append((200, "isv.MOBILE_NUMBER_ILLEGAL"))
    message = _queue(texter)
    assert relay.relay().dead == 1
    assert _state(message) == ("dead", 1, "短信平台拒绝：isv.MOBILE_NUMBER_ILLEGAL 非法手机号")
    assert message.next_attempt_at is None


@pytest.mark.django_db
def test_flow_control_is_tried_again_later_and_then_the_text_goes_out_once(texter, dysmsapi):
    dysmsapi.replies.append((200, "isv.BUSINESS_LIMIT_CONTROL"))
    message = _queue(texter)
    relay.relay()
    assert _state(message) == ("failed", 1, "短信平台拒绝：isv.BUSINESS_LIMIT_CONTROL 触发号码天级流控Permits:10")
    assert relay.relay().tried == 0
    _make_due(message)
    relay.relay()
    assert _state(message) == ("sent", 2, "")
    assert (dysmsapi.requests, len(dysmsapi.accepted)) == (2, 1)


@pytest.mark.django_db
def test_a_server_error_is_tried_again_later(texter, dysmsapi):
    dysmsapi.replies.append((500, "InternalError"))
    message = _queue(texter)
    relay.relay()
    assert _state(message) == ("failed", 1, "服务返回 HTTP 500")
    assert message.next_attempt_at > timezone.now()


@pytest.mark.django_db
def test_an_answer_cut_off_midway_is_tried_again_later(texter, dysmsapi):
    dysmsapi.replies.append(("truncated", "OK"))
    message = _queue(texter)
    relay.relay()
    status, attempts, error = _state(message)
    assert (status, attempts) == ("failed", 1)
    assert error.startswith("服务的回答不完整：IncompleteRead(")


@pytest.mark.django_db
def test_an_unreachable_provider_is_tried_again_later(texter, settings):
    with servers.Dysmsapi(access_key_id=KEY_ID, access_key_secret=SECRET) as gone:
        endpoint = f"{gone.url}/"
    settings.NOTIFY_SMS = settings.NOTIFY_SMS | {"endpoint": endpoint, "access_key_id": KEY_ID}
    settings.NOTIFY_TRANSPORTS = settings.NOTIFY_TRANSPORTS | {"sms": "tongban.notify.transports.sms.AliyunSms"}
    message = _queue(texter)
    relay.relay()
    assert _state(message) == ("failed", 1, "无法连接服务：[Errno 111] Connection refused")


@pytest.mark.django_db
def test_a_template_without_a_provider_code_is_given_up_with_a_clear_error(texter, dysmsapi):
    Template.objects.filter(event="notify.test", channel="sms").update(provider_template="")
    message = _queue(texter)
    relay.relay()
    assert _state(message) == ("dead", 1, "短信模板未填写平台模板编号（TemplateCode）")
    assert dysmsapi.requests == 0


@pytest.mark.django_db
def test_a_person_without_a_phone_gets_no_text(world, dysmsapi):
    set_preference(actor=world.applicant, kind="account", channels=["sms"])
    with transaction.atomic():
        notify(event="notify.test", recipients=[world.applicant], key="t", context={"time": TIME})
    assert list(Message.objects.filter(recipient=world.applicant).values_list("channel", flat=True)) == ["inbox"]


@pytest.mark.django_db
def test_the_embedded_default_writes_one_line_per_text_with_the_phone_masked(texter, settings, tmp_path):
    outbox = tmp_path / "sms.jsonl"
    settings.NOTIFY_SMS = settings.NOTIFY_SMS | {"file": str(outbox), "sign_name": "通办测试"}
    settings.NOTIFY_TRANSPORTS = settings.NOTIFY_TRANSPORTS | {"sms": "tongban.notify.transports.sms.FileSms"}
    message = _queue(texter)
    relay.relay()
    message.refresh_from_db()
    assert (message.status, message.provider_id) == ("sent", f"file-{message.pk}")
    text = outbox.read_text(encoding="utf-8")
    assert PHONE not in text
    assert [json.loads(line) for line in text.splitlines()] == [{
        "id": message.pk, "to": "138****5678", "template": "SMS_465001",
        "params": {"name": "王同学", "time": TIME}, "sign": "通办测试"}]
