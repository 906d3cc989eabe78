"""Template wording is edited in the back office and checked when it is saved: a
variable the event does not provide is refused then, naming the field."""

import pytest

from tongban.lib.errors import ApplicationError
from tongban.notify.message_templates import check_template, ensure_defaults
from tongban.notify.models import Template

pytestmark = pytest.mark.django_db


def _check(body, channel="inbox", subject=""):
    check_template(event="notify.test", channel=channel, subject=subject, body=body, provider_template="")


def test_the_shipped_chinese_wording_is_there_after_migrate():
    assert Template.objects.filter(event="notify.test").count() == 4
    assert Template.objects.get(event="people.import_finished", channel="inbox").subject == "人员导入完成"
    assert ensure_defaults() == 0  # idempotent: nothing new the second time


def test_an_edited_template_is_not_overwritten_by_the_defaults():
    Template.objects.filter(event="notify.test", channel="inbox").update(body="改过的 {name}")
    ensure_defaults()
    assert Template.objects.get(event="notify.test", channel="inbox").body == "改过的 {name}"


@pytest.mark.parametrize(("body", "field", "code", "message"), [
    ("您好 {nmae}", "body", "template_unknown_variable", "未知变量 {nmae}；可用变量：{name}、{time}"),
    ("您好 {name", "body", "template_syntax", "花括号不成对：expected '}' before end of string"),
    ("{name.__class__}", "body", "template_syntax", "占位符 {name.__class__} 只能是变量名，如 {name}"),
    ("{name!r}", "body", "template_syntax", "占位符 {name} 只能是变量名，如 {name}"),
    ("", "body", "template_empty", "已启用的站内消息模板正文不能为空"),
])
def test_bad_wording_is_refused_naming_the_field(body, field, code, message):
    with pytest.raises(ApplicationError) as caught:
        _check(body)
    assert (caught.value.field, caught.value.code, caught.value.message) == (field, code, message)


def test_a_bad_variable_in_the_subject_names_the_subject():
    with pytest.raises(ApplicationError) as caught:
        _check("{name}", subject="{when}")
    assert caught.value.field == "subject"


def test_sms_wording_is_one_parameter_per_line():
    _check("name={name}\ntime={time}", channel="sms")
    with pytest.raises(ApplicationError) as caught:
        _check("name {name}", channel="sms")
    assert caught.value.message == "第 1 行应为“参数名=内容”"
    with pytest.raises(ApplicationError):
        _check("name={who}", channel="wechat")


def test_the_back_office_refuses_a_template_with_an_unknown_variable(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    template = Template.objects.get(event="notify.test", channel="inbox")
    page = login(world.sysadmin).post(f"/admin/notify/template/{template.pk}/change/", {
        "event": "notify.test", "channel": "inbox", "subject": "测试", "body": "您好 {nmae}",
        "provider_template": "", "enabled": "on"})
    assert page.status_code == 200
    assert "未知变量 {nmae}" in page.content.decode()
    template.refresh_from_db()
    assert template.body != "您好 {nmae}"
    ok = login(world.sysadmin).post(f"/admin/notify/template/{template.pk}/change/", {
        "event": "notify.test", "channel": "inbox", "subject": "测试", "body": "您好 {name}",
        "provider_template": "", "enabled": "on"})
    assert ok.status_code == 302
    template.refresh_from_db()
    assert template.body == "您好 {name}"


def test_a_disabled_channel_template_sends_nothing_on_that_channel(reachable):
    from django.db import transaction

    from tongban.notify.models import Message
    from tongban.notify.services import notify

    Template.objects.filter(event="notify.test", channel="email").update(enabled=False)
    with transaction.atomic():
        notify(event="notify.test", recipients=[reachable], key="k", context={"time": "1"})
    assert list(Message.objects.values_list("channel", flat=True)) == ["inbox"]
