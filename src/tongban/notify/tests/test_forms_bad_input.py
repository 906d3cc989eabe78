"""The inbox's and the preferences page's posts go through forms: bad input is
answered with every error at once, next to its kind, the boxes as they were ticked,
and nothing saved."""

import pytest
from django.db import transaction

from tongban.audit.models import AuditEntry
from tongban.notify.models import Message, Preference
from tongban.notify.services import notify

pytestmark = pytest.mark.django_db


def test_a_forged_preferences_post_names_every_refused_kind_and_saves_nothing(reachable, login):
    # the locked boxes of both mandatory kinds left out, an ordinary choice made beside them
    answer = login(reachable).post("/inbox/preferences/", {"account:sms": "1", "task:email": "1"})
    assert answer.status_code == 422
    form = answer.context["form"]
    assert form.errors["restriction:inbox"] == ["“限制与黑名单”类消息不能关闭"]
    assert form.errors["deadline:inbox"] == ["“法定时限”类消息不能关闭"]
    page = answer.content.decode()
    # each error sits in its kind's row, and the boxes are as they were ticked
    assert 'id="errors-restriction"' in page and 'id="errors-deadline"' in page
    assert 'name="account:sms" id="id_account:sms" value="1"\n        checked' in page
    assert 'name="account:email" id="id_account:email" value="1"\n         ' in page  # was on, unticked: kept off
    # nothing saved, not even the kinds that were fine
    assert not Preference.objects.exists()
    assert not AuditEntry.objects.filter(action="notify.preference").exists()


def test_a_mark_read_post_with_a_malformed_id_marks_nothing(world, login):
    with transaction.atomic():
        notify(event="notify.test", recipients=[world.applicant], key="k", context={"time": "10:00"})
    answer = login(world.applicant).post("/inbox/read/", {"id": "1; drop", "next": "/workbench/"})
    assert answer.status_code == 302 and answer["Location"] == "/inbox/"
    assert Message.objects.get(recipient=world.applicant, channel="inbox").read_at is None


def test_a_link_elsewhere_is_not_followed_after_marking_read(world, login):
    with transaction.atomic():
        notify(event="notify.test", recipients=[world.applicant], key="k", context={"time": "10:00"})
    message = Message.objects.get(recipient=world.applicant, channel="inbox")
    answer = login(world.applicant).post("/inbox/read/", {"id": message.pk, "next": "https://evil.example/"})
    assert answer["Location"] == "/inbox/"
