"""E-mail goes out through Django's SMTP backend to a real SMTP server on 127.0.0.1:
delivered once with the rendered wording; kept for a later try while the server is
down or defers; given up when the server refuses the recipient or the message, or
after NOTIFY_MAX_ATTEMPTS tries."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tongban.notify import relay
from tongban.notify.models import Message
from tongban.notify.services import notify
from tongban.notify.tests import servers

ADDRESS = "wang@example.edu.cn"  # the `reachable` persona's


@pytest.fixture
def smtp_down(settings, monkeypatch):
    """The configured mail server, not running: its port refuses connections."""
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    with servers.SmtpServer() as server:
        servers.use_smtp(settings, monkeypatch, server)
        yield server


@pytest.fixture
def smtp(smtp_down):
    smtp_down.start()
    return smtp_down


def _queue(user, *, link: str = "") -> Message:
    with transaction.atomic():
        notify(event="notify.test", recipients=[user], key="t", context={"time": "2026-11-23 10:00"}, link=link)
    return Message.objects.get(recipient=user, channel="email")


def _make_due(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def _state(message: Message) -> tuple:
    message.refresh_from_db()
    return message.status, message.attempts, message.error


@pytest.mark.django_db
def test_a_queued_email_is_delivered_with_its_rendered_wording_after_commit(
        reachable, smtp, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://tongban.example.edu.cn"
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(reachable, link="/inbox/")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("sent", 1, "")
    assert message.provider_id == f"<tongban.{message.pk}@notify>"
    assert smtp.envelopes == [(settings.DEFAULT_FROM_EMAIL, [ADDRESS])]
    [mail] = smtp.received
    assert (mail["To"], mail["Subject"], mail["Message-ID"]) == (ADDRESS, "【通办】测试通知", message.provider_id)
    assert mail.get_content().replace("\r\n", "\n") == (
        "王同学：\n\n这是一条测试通知，发送于 2026-11-23 10:00。收到即说明该渠道可用。\n\n通办"
        "\n\nhttps://tongban.example.edu.cn/inbox/\n")


@pytest.mark.django_db
def test_while_the_mail_server_is_down_the_email_waits_for_another_try(reachable, smtp_down):
    message = _queue(reachable)
    before = timezone.now()
    tally = relay.relay()
    assert (tally.sent, tally.failed, tally.dead) == (0, 1, 0)
    assert _state(message) == ("failed", 1, "邮件服务器不可用：[Errno 111] Connection refused")
    assert before + dt.timedelta(seconds=29) < message.next_attempt_at < before + dt.timedelta(seconds=40)
    assert message.provider_id == ""


@pytest.mark.django_db
def test_once_the_server_is_up_the_email_is_delivered_exactly_once_when_due(reachable, smtp_down):
    message = _queue(reachable)
    relay.relay()
    smtp_down.start()
    assert relay.relay().tried == 0  # not due yet: the server is not asked
    _make_due(message)
    assert relay.relay().sent == 1
    assert relay.relay().tried == 0
    assert _state(message) == ("sent", 2, "")
    assert [mail["To"] for mail in smtp_down.received] == [ADDRESS]


@pytest.mark.django_db
def test_a_recipient_the_server_does_not_know_is_given_up_at_once(reachable, smtp):
    smtp.refuse["RCPT"] = "550 5.1.1 <wang@example.edu.cn>: Recipient address rejected: User unknown"
    message = _queue(reachable)
    assert relay.relay().dead == 1
    assert _state(message) == (
        "dead", 1, "收件地址被拒绝（550）：5.1.1 <wang@example.edu.cn>: Recipient address rejected: User unknown")
    assert message.next_attempt_at is None
    assert smtp.received == []


@pytest.mark.django_db
def test_a_greylisted_recipient_is_tried_again_and_then_delivered(reachable, smtp):
    smtp.refuse["RCPT"] = "451 4.7.1 Greylisted, please try again later"
    message = _queue(reachable)
    relay.relay()
    assert _state(message) == ("failed", 1, "收件地址被拒绝（451）：4.7.1 Greylisted, please try again later")
    del smtp.refuse["RCPT"]
    _make_due(message)
    relay.relay()
    assert _state(message) == ("sent", 2, "")
    assert len(smtp.received) == 1


@pytest.mark.django_db
def test_a_message_the_server_rejects_after_reading_it_is_given_up(reachable, smtp):
    smtp.refuse["DATA"] = "554 5.7.1 Message rejected as spam"
    message = _queue(reachable)
    relay.relay()
    assert _state(message) == ("dead", 1, "邮件服务器拒绝（554）：5.7.1 Message rejected as spam")


@pytest.mark.django_db
def test_a_sender_address_the_server_refuses_is_a_settings_problem_and_retried(reachable, smtp):
    # Every message would be refused alike until an admin fixes DEFAULT_FROM_EMAIL or
    # the relay's rules; none of them should be given up meanwhile.
    smtp.refuse["MAIL"] = "553 5.7.1 <tongban@localhost>: Sender address rejected: not owned by user"
    message = _queue(reachable)
    relay.relay()
    assert _state(message) == (
        "failed", 1, "邮件服务器拒绝（553）：5.7.1 <tongban@localhost>: Sender address rejected: not owned by user")


@pytest.mark.django_db
def test_after_max_attempts_of_transient_failures_the_email_is_given_up(reachable, smtp_down, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    message = _queue(reachable)
    seen = []
    for _ in range(3):
        relay.relay()
        seen.append((*_state(message)[:2], message.next_attempt_at is None))
        if message.status == "failed":
            _make_due(message)
    assert seen == [("failed", 1, False), ("failed", 2, False), ("dead", 3, True)]
    assert message.error == "邮件服务器不可用：[Errno 111] Connection refused"
    smtp_down.start()
    assert relay.relay().tried == 0
    assert smtp_down.received == []


@pytest.mark.django_db
def test_the_page_the_user_was_on_does_not_fail_while_the_mail_server_is_down(
        reachable, smtp_down, login, django_capture_on_commit_callbacks):
    # the test-send button queues an e-mail and kicks the relay after commit (tasks run
    # at once in tests): the delivery fails, the page does not
    with django_capture_on_commit_callbacks(execute=True):
        answer = login(reachable).post("/inbox/test/", follow=True)
    assert answer.status_code == 200 and "已发送测试通知" in answer.content.decode()
    message = Message.objects.get(recipient=reachable, channel="email")
    assert _state(message)[:2] == ("failed", 1)
    smtp_down.start()
    _make_due(message)
    relay.relay()
    assert _state(message)[:2] == ("sent", 2)
    assert len(smtp_down.received) == 1
