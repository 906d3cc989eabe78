"""A person chooses channels per kind of message; restrictions and legal deadlines
cannot be turned off; the inbox always receives."""

import pytest
from django.db import transaction

from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError
from tongban.notify.models import Message
from tongban.notify.services import notify, set_preference

pytestmark = pytest.mark.django_db


def _channels_for(user, event="notify.test"):
    Message.objects.all().delete()
    with transaction.atomic():
        notify(event=event, recipients=[user], key="k", context={"time": "1"})
    return sorted(Message.objects.values_list("channel", flat=True))


def test_without_a_choice_the_kinds_defaults_apply(reachable, recorded):
    assert _channels_for(reachable) == ["email", "inbox"]  # account messages: inbox + e-mail


def test_a_person_turns_a_channel_off_and_another_on(reachable, recorded):
    set_preference(actor=reachable, kind="account", channels=["sms"])
    assert _channels_for(reachable) == ["inbox", "sms"]
    entry = AuditEntry.objects.get(action="notify.preference")
    assert entry.details == {"kind": "account", "old": None, "new": ["inbox", "sms"]}


def test_a_mandatory_kind_cannot_be_turned_off(reachable):
    with pytest.raises(ApplicationError) as caught:
        set_preference(actor=reachable, kind="restriction", channels=["inbox"])
    assert (caught.value.code, caught.value.message) == ("mandatory_kind", "“限制与黑名单”类消息不能关闭")
    set_preference(actor=reachable, kind="restriction", channels=["sms", "wechat"])  # adding is fine


def test_unknown_kinds_and_channels_are_refused(reachable):
    with pytest.raises(ApplicationError) as caught:
        set_preference(actor=reachable, kind="gossip", channels=[])
    assert caught.value.field == "kind"
    with pytest.raises(ApplicationError) as caught:
        set_preference(actor=reachable, kind="account", channels=["fax"])
    assert caught.value.field == "channels"


def test_the_preferences_page_saves_choices_and_keeps_locked_ones(reachable, login):
    client = login(reachable)
    page = client.get("/inbox/preferences/")
    assert "限制与黑名单" in page.content.decode() and "不可关闭" in page.content.decode()
    # the form posts the locked boxes as hidden fields; a forged post without them is refused
    answer = client.post("/inbox/preferences/", {"account:sms": "1", "restriction:inbox": "1"}, follow=True)
    assert "“限制与黑名单”类消息不能关闭" in answer.content.decode()
    answer = client.post("/inbox/preferences/", {
        "account:sms": "1", "restriction:inbox": "1", "restriction:sms": "1",
        "deadline:inbox": "1", "deadline:sms": "1"}, follow=True)
    assert "通知偏好已保存" in answer.content.decode()
    assert _channels_for(reachable) == ["inbox", "sms"]
