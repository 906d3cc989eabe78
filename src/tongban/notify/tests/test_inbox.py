"""The inbox on applicant pages and the workbench: unread count in the header, read
marks, links to what a message is about; nobody touches someone else's messages."""

import pytest
from django.db import transaction

from tongban.notify.models import Message
from tongban.notify.services import notify

pytestmark = pytest.mark.django_db


def _tell(user, key="k", link=""):
    with transaction.atomic():
        notify(event="notify.test", recipients=[user], key=key, context={"time": "10:00"}, link=link)
    return Message.objects.get(recipient=user, channel="inbox", key__startswith=f"{key}:")


def test_the_header_shows_the_unread_count_and_the_inbox_lists_messages(world, login):
    _tell(world.applicant, "a")
    _tell(world.applicant, "b")
    page = login(world.applicant).get("/").content.decode()
    assert '<span class="badge" id="inbox-unread">2</span>' in page
    inbox = login(world.applicant).get("/inbox/").content.decode()
    assert inbox.count('class="message unread"') == 2
    assert "applicant，这是一条测试通知" in inbox


def test_marking_one_read_with_htmx_returns_the_item(world, login):
    message = _tell(world.applicant)
    answer = login(world.applicant).post("/inbox/read/", {"id": message.pk}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert 'class="message "' in answer.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None


def test_mark_all_read(world, login):
    _tell(world.applicant, "a")
    _tell(world.applicant, "b")
    login(world.applicant).post("/inbox/read/")
    assert Message.objects.filter(recipient=world.applicant, read_at__isnull=True).count() == 0


def test_a_message_with_a_link_is_marked_read_and_leads_to_its_object(world, login):
    message = _tell(world.applicant, link="/workbench/")
    answer = login(world.applicant).post("/inbox/read/", {"id": message.pk, "next": message.link})
    assert answer.status_code == 302 and answer["Location"] == "/workbench/"
    evil = login(world.applicant).post("/inbox/read/", {"id": message.pk, "next": "//evil.example/"})
    assert evil["Location"] == "/inbox/"


def test_nobody_marks_or_sees_someone_elses_messages(world, login):
    message = _tell(world.applicant)
    login(world.outsider).post("/inbox/read/", {"id": message.pk})
    message.refresh_from_db()
    assert message.read_at is None
    assert "这是一条测试通知" not in login(world.outsider).get("/inbox/").content.decode()
    assert login(world.outsider).post("/inbox/read/", {"id": "x"}).status_code == 302


def test_staff_have_the_same_inbox_in_the_workbench(world, login):
    _tell(world.officer)
    page = login(world.officer).get("/workbench/").content.decode()
    assert 'id="inbox-unread">1<' in page


def test_the_test_button_sends_a_test_message_to_oneself(reachable, login, recorded):
    answer = login(reachable).post("/inbox/test/", follow=True)
    assert "已发送测试通知（2 个渠道）" in answer.content.decode()
    assert Message.objects.filter(recipient=reachable, event="notify.test").count() == 2


def test_the_inbox_needs_a_login(client):
    assert client.get("/inbox/").status_code == 302
