"""Concurrent acts on PostgreSQL (real row locks, one connection a thread)."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.campaigns import services
from tongban.campaigns.models import Answer, Assignment, Campaign
from tongban.campaigns.tests.conftest import answers, assignment_of, make
from tongban.conftest import at_once, failures
from tongban.notify.models import Message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_campaign_started_by_eight_clicks_at_once_sends_once(hall):
    campaign = make(hall)
    outcomes = at_once(8, lambda n: services.start_dispatch(actor=hall.dept, campaign=campaign).state)
    assert not failures(outcomes)
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DONE
    assert Assignment.objects.filter(campaign=campaign).count() == 5
    assert Message.objects.filter(event="campaigns.invite", channel="inbox").count() == 5
    assert AuditEntry.objects.filter(action="campaigns.start").count() == 1


def test_two_workers_running_the_same_dispatch_send_each_message_once(hall):
    campaign = make(hall)
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.PENDING)
    outcomes = at_once(2, lambda n: services.run_dispatch_job(campaign_id=campaign.pk, chunk=2).pk)
    assert not failures(outcomes)
    assert Assignment.objects.filter(campaign=campaign).count() == 5
    assert Message.objects.filter(event="campaigns.invite", channel="inbox").count() == 5


def test_one_recipient_filling_from_eight_tabs_at_once_keeps_one_answer(hall):
    campaign = make(hall)
    services.start_dispatch(actor=hall.dept, campaign=campaign)
    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    outcomes = at_once(8, lambda n: services.fill(actor=a.account, assignment_id=todo.pk,
                                                  answers=answers(phone=f"1380013800{n}")).pk)
    assert not failures(outcomes)
    assert Answer.objects.filter(assignment=todo).count() == 1
    assert Answer.objects.get(assignment=todo).revisions == 8


def test_remind_all_pressed_twice_at_once_reminds_once(hall):
    from tongban.campaigns.models import Reminder
    from tongban.lib.errors import StateConflict

    campaign = make(hall)
    services.start_dispatch(actor=hall.dept, campaign=campaign)
    outcomes = at_once(2, lambda n: services.remind_unfilled(actor=hall.dept, campaign=campaign).count)
    refused = failures(outcomes)
    assert len(refused) == 1 and isinstance(refused[0], StateConflict) and refused[0].code == "reminded_recently"
    assert Reminder.objects.filter(campaign=campaign).count() == 1
    assert Message.objects.filter(event="campaigns.reminder", channel="inbox").count() == 5
