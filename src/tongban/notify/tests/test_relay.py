"""The relay delivers outside messages, retries transient failures with growing
delays, gives up after NOTIFY_MAX_ATTEMPTS or at once on a permanent failure, and an
admin can send dead messages again."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.lib.errors import NotAllowed
from tongban.notify import relay
from tongban.notify.models import Message
from tongban.notify.services import backoff, notify, retry_dead
from tongban.notify.tests import recording


def _email_to(user):
    with transaction.atomic():
        notify(event="notify.test", recipients=[user], key="k", context={"time": "10:00"})
    return Message.objects.get(channel="email")


def _make_due(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


@pytest.mark.django_db
def test_the_relay_sends_pending_messages_and_records_the_provider_id(reachable, recorded):
    message = _email_to(reachable)
    tally = relay.relay()
    message.refresh_from_db()
    assert (tally.sent, message.status, message.attempts, message.provider_id) == (1, "sent", 1, "rec-1")
    assert recorded[0].subject == "【通办】测试通知" and recorded[0].address == "wang@example.edu.cn"
    assert relay.relay().tried == 0  # nothing is sent twice


@pytest.mark.django_db
def test_a_transient_failure_is_retried_later_with_growing_delays(reachable, recorded, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    message = _email_to(reachable)
    recording.behaviour["fail"] = ("connection refused", False)
    before = timezone.now()
    relay.relay()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("failed", 1, "connection refused")
    assert before + dt.timedelta(seconds=29) < message.next_attempt_at < before + dt.timedelta(seconds=40)
    assert relay.relay().tried == 0  # not yet due
    _make_due(message)
    relay.relay()
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=55)  # 60 s after the 2nd
    recording.behaviour["fail"] = None
    _make_due(message)
    relay.relay()
    message.refresh_from_db()
    assert (message.status, message.error, len(recorded)) == ("sent", "", 1)


def test_backoff_doubles_up_to_its_cap():
    assert [backoff(n, base=30, cap=300).seconds for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


@pytest.mark.django_db
def test_a_message_dies_after_the_last_attempt(reachable, recorded, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    message = _email_to(reachable)
    recording.behaviour["fail"] = ("timeout", False)
    for _ in range(3):
        _make_due(message)
        relay.relay()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("dead", 3, None)


@pytest.mark.django_db
def test_a_permanent_failure_dies_at_once(reachable, recorded):
    message = _email_to(reachable)
    recording.behaviour["fail"] = ("用户未关注公众号", True)
    relay.relay()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 1)


@pytest.mark.django_db
def test_a_recipient_without_an_address_any_more_dies_with_a_reason(reachable, recorded):
    message = _email_to(reachable)
    reachable.email = ""
    reachable.save(update_fields=["email"])
    relay.relay()
    message.refresh_from_db()
    assert (message.status, message.error) == ("dead", "收件人没有可用的电子邮件地址")


@pytest.mark.django_db
def test_an_admin_sends_dead_messages_again_and_it_is_on_the_trail(world, reachable, recorded):
    message = _email_to(reachable)
    recording.behaviour["fail"] = ("mailbox full", True)
    relay.relay()
    recording.behaviour["fail"] = None
    with pytest.raises(NotAllowed):
        retry_dead(actor=world.outsider, message_ids=[message.pk])
    assert retry_dead(actor=world.sysadmin, message_ids=[message.pk]) == 1
    relay.relay()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    entry = AuditEntry.objects.get(action="notify.retry")
    assert (entry.actor_id, entry.details) == (world.sysadmin.pk, {"messages": [message.pk]})


@pytest.mark.django_db
def test_a_relay_that_died_mid_send_leaves_the_message_to_the_next_sweep(reachable, recorded):
    message = _email_to(reachable)
    claimed = relay.claim(10)  # claimed, then the process "died" before sending
    assert [m.pk for m in claimed] == [message.pk]
    assert relay.relay().tried == 0  # the lease still holds
    Message.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert relay.relay().sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_a_dead_message_sent_again_uses_the_template_as_the_admin_fixed_it(world, reachable, recorded):
    from tongban.notify.models import Template
    from tongban.notify.services import set_preference

    set_preference(actor=reachable, kind="account", channels=["sms"])
    with transaction.atomic():
        notify(event="notify.test", recipients=[reachable], key="k", context={"time": "10:00"})
    sms = Message.objects.get(channel="sms")
    Message.objects.filter(pk=sms.pk).update(status="dead", error="短信模板未填写平台模板编号（TemplateCode）")
    Template.objects.filter(event="notify.test", channel="sms").update(provider_template="SMS_1234")
    retry_dead(actor=world.sysadmin, message_ids=[sms.pk])
    relay.relay()
    assert [(o.provider_template, o.params) for o in recorded] == [
        ("SMS_1234", {"name": "王同学", "time": "10:00"})]


@pytest.mark.django_db
def test_a_very_long_business_key_still_gives_every_recipient_their_message(world, reachable):
    with transaction.atomic():
        notify(event="notify.test", recipients=[world.applicant, reachable], key="x" * 300,
               context={"time": "10:00"})
    assert Message.objects.filter(channel="inbox").count() == 2
