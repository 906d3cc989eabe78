"""A message is written in the transaction of the change that causes it: a rollback
leaves none, a commit leaves exactly one per recipient and channel, and the same
business fact queued again (a sweep run twice) adds nothing."""

import pytest
from django.db import transaction

from tongban.notify.models import Message
from tongban.notify.services import notify, set_preference

pytestmark = pytest.mark.django_db(transaction=True)


def _queue(users, key="fact-1", **context):
    return notify(event="notify.test", recipients=users, key=key, context={"time": "10:00", **context})


def test_a_change_that_rolls_back_leaves_no_message(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue([world.applicant])
        raise RuntimeError("the change failed after the message was queued")
    assert Message.objects.count() == 0


def test_a_committed_change_leaves_one_message_per_recipient_and_channel(world, reachable, recorded):
    set_preference(actor=reachable, kind="account", channels=["inbox", "email", "sms", "wechat"])
    with transaction.atomic():
        _queue([world.applicant, reachable])
    rows = sorted(Message.objects.values_list("recipient__username", "channel"))
    # the applicant has no e-mail, phone or openid: the inbox only
    assert rows == [("applicant", "inbox"), ("wang", "email"), ("wang", "inbox"), ("wang", "sms"),
                    ("wang", "wechat")]
    # the relay was kicked after commit and delivered the three outside messages
    assert sorted(o.address for o in recorded) == ["13812345678", "o-wang-openid", "wang@example.edu.cn"]
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_queueing_the_same_fact_twice_writes_nothing_more(world, reachable, recorded):
    for _ in range(2):
        with transaction.atomic():
            _queue([world.applicant, reachable], key="loan:7:due:2026-11-24")
    assert Message.objects.count() == 3  # applicant inbox; wang inbox + email
    assert len(recorded) == 1


def test_a_message_is_rendered_with_its_context_and_keeps_it(world):
    with transaction.atomic():
        _queue([world.applicant], time="2026-11-23 10:00")
    message = Message.objects.get()
    assert message.subject == "测试通知"
    assert message.body == "applicant，这是一条测试通知，发送于 2026-11-23 10:00。收到即说明该渠道可用。"
    assert message.context == {"name": "applicant", "time": "2026-11-23 10:00"}


def test_an_id_number_in_the_context_is_masked_before_it_is_stored(world):
    raw = world.applicant_person.plain_id_number()
    with transaction.atomic():
        notify(event="notify.test", recipients=[world.applicant], key="k", context={"time": raw})
    message = Message.objects.get()
    assert raw not in message.body and raw not in str(message.context)
    assert raw[:6] + "********" + raw[-4:] in message.body


def test_a_missing_variable_is_a_programming_error_that_rolls_back(world):
    with pytest.raises(KeyError), transaction.atomic():
        notify(event="notify.test", recipients=[world.applicant], key="k", context={})
    assert Message.objects.count() == 0
