"""A template enabled for a channel must have something to say there: an empty body
(or, for texts and WeChat, no parameter or an empty one) is refused on save, naming
the channel; the inbox wording cannot be switched off; and the relay gives up for good,
with a reason, on any message that is empty all the same (a template emptied after it
was queued, values that rendered to nothing), never sending it."""

import pytest
from django.db import transaction

from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError
from tongban.notify import relay
from tongban.notify.message_templates import check_template
from tongban.notify.models import Message, Template
from tongban.notify.services import notify, save_template, set_preference


def _check(channel, body, enabled=True):
    check_template(event="notify.test", channel=channel, subject="", body=body, provider_template="",
                   enabled=enabled)


@pytest.mark.parametrize(("channel", "body", "message"), [
    ("sms", "", "已启用的短信模板正文不能为空：每行一个“参数名=内容”"),
    ("sms", "\n \n", "已启用的短信模板正文不能为空：每行一个“参数名=内容”"),
    ("wechat", "", "已启用的微信模板正文不能为空：每行一个“参数名=内容”"),
    ("sms", "name={name}\ntime=", "短信模板的参数 time 没有内容"),
    ("email", "  \n", "已启用的电子邮件模板正文不能为空"),
    ("inbox", "", "已启用的站内消息模板正文不能为空"),
])
@pytest.mark.django_db
def test_an_enabled_template_with_nothing_to_send_is_refused_naming_the_channel(channel, body, message):
    with pytest.raises(ApplicationError) as caught:
        _check(channel, body)
    assert (caught.value.code, caught.value.field, caught.value.message) == ("template_empty", "body", message)


@pytest.mark.django_db
def test_a_disabled_channel_may_keep_an_empty_body_but_the_inbox_cannot_be_disabled():
    _check("sms", "", enabled=False)
    with pytest.raises(ApplicationError) as caught:
        _check("inbox", "您好", enabled=False)
    assert (caught.value.field, caught.value.code) == ("enabled", "template_inbox_required")


def _admin(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    return login(world.sysadmin)


def test_the_back_office_refuses_an_empty_sms_template_and_names_the_channel(world, login):
    template = Template.objects.get(event="notify.test", channel="sms")
    page = _admin(world, login).post(f"/admin/notify/template/{template.pk}/change/", {
        "event": "notify.test", "channel": "sms", "subject": "", "body": "name=",
        "provider_template": "SMS_1", "enabled": "on"})
    assert page.status_code == 200 and "短信模板的参数 name 没有内容" in page.content.decode()
    template.refresh_from_db()
    assert template.body == "name={name}\ntime={time}"


def test_a_template_saved_in_the_back_office_is_on_the_trail_with_old_and_new(world, login):
    template = Template.objects.get(event="notify.test", channel="sms")
    answer = _admin(world, login).post(f"/admin/notify/template/{template.pk}/change/", {
        "event": "notify.test", "channel": "sms", "subject": "", "body": "name={name}",
        "provider_template": "SMS_1", "enabled": "on"})
    assert answer.status_code == 302
    entry = AuditEntry.objects.get(action="notify.template_save")
    assert entry.details["new"] == {"body": "name={name}", "provider_template": "SMS_1"}
    assert entry.details["old"] == {"body": "name={name}\ntime={time}", "provider_template": ""}


def test_saving_a_template_needs_notify_manage(world):
    template = Template.objects.get(event="notify.test", channel="sms")
    template.body = "name={name}"
    with pytest.raises(ApplicationError):
        save_template(actor=world.college_admin, template=template)
    assert not AuditEntry.objects.filter(action="notify.template_save").exists()


def _queued(user, channel):
    with transaction.atomic():
        notify(event="notify.test", recipients=[user], key="k", context={"time": "10:00"})
    return Message.objects.get(recipient=user, channel=channel)


@pytest.mark.parametrize(("channel", "emptied", "reason"), [
    ("sms", {"params": {"name": " ", "time": ""}}, "短信内容为空（模板参数没有任何内容），未发送"),
    ("sms", {"params": {}}, "短信内容为空（模板参数没有任何内容），未发送"),
    ("wechat", {"params": {}}, "微信内容为空（模板参数没有任何内容），未发送"),
    ("email", {"body": " \n"}, "电子邮件正文为空，未发送"),
])
def test_the_relay_never_sends_an_empty_message(reachable, recorded, channel, emptied, reason):
    set_preference(actor=reachable, kind="account", channels=[channel])
    message = _queued(reachable, channel)
    Message.objects.filter(pk=message.pk).update(**emptied)
    tally = relay.relay()
    message.refresh_from_db()
    assert (tally.dead, message.status, message.error, recorded) == (1, "dead", reason, [])
