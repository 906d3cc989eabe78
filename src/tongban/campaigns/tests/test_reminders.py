from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.campaigns import services
from tongban.campaigns.models import Assignment, Campaign, Reminder
from tongban.campaigns.tests.conftest import answers, assignment_of, sent
from tongban.lib.errors import NotAllowed, StateConflict
from tongban.notify.models import Message


def reminded() -> set:
    return set(Message.objects.filter(event="campaigns.reminder", channel="inbox")
               .values_list("recipient__person__name", flat=True))


def test_remind_all_who_have_not_filled_reaches_only_them_and_is_audited(hall):
    campaign = sent(hall)
    a = hall.students["a"]
    services.fill(actor=a.account, assignment_id=assignment_of(campaign, a).pk, answers=answers())
    reminder = services.remind_unfilled(actor=hall.dept, campaign=campaign)
    assert reminder.count == 4
    assert "学生a" not in reminded() and len(reminded()) == 4  # i18n: data
    assert AuditEntry.objects.filter(action="campaigns.remind", object_id=str(campaign.pk)).count() == 1


def test_reminding_again_within_the_window_is_refused(hall):
    campaign = sent(hall)
    services.remind_unfilled(actor=hall.dept, campaign=campaign)
    with pytest.raises(StateConflict) as refused:
        services.remind_unfilled(actor=hall.dept, campaign=campaign)
    assert refused.value.code == "reminded_recently"
    assert Message.objects.filter(event="campaigns.reminder", channel="inbox").count() == 5


def test_a_counsellor_reminds_their_own_class_and_nobody_just_reminded_is_told_twice(hall):
    campaign = sent(hall)
    assert services.remind_unfilled(actor=hall.counsellor, campaign=campaign).count == 2
    assert reminded() == {"学生a", "学生b"}  # i18n: data
    assert services.remind_unfilled(actor=hall.dept, campaign=campaign).count == 3  # a and b were just told


def test_someone_without_the_role_cannot_remind(hall, world):
    campaign = sent(hall)
    with pytest.raises(NotAllowed):
        services.remind_unfilled(actor=world.clerk, campaign=campaign)


def test_the_reminder_before_the_close_goes_once_however_often_the_sweep_runs(hall):
    campaign = sent(hall, hours=48, remind_hours_before=24)
    call_command("campaign_reminders")
    assert not reminded()  # 48 hours left: not yet
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() + timedelta(hours=5))
    call_command("campaign_reminders")
    Assignment.objects.update(last_reminded_at=None)  # even were the window passed
    call_command("campaign_reminders")
    assert Message.objects.filter(event="campaigns.reminder", channel="inbox").count() == 5
    assert Reminder.objects.get(campaign=campaign).kind == Reminder.Kind.BEFORE_CLOSE


def test_scheduled_reminders_go_each_round(hall):
    campaign = sent(hall, hours=24 * 10, remind_hours_before=0, remind_every_days=2)
    now = timezone.now()
    assert services.send_due_reminders(now=now + timedelta(days=1)) == 0
    assert services.send_due_reminders(now=now + timedelta(days=2, hours=1)) == 5
    assert services.send_due_reminders(now=now + timedelta(days=3)) == 0  # the same round
    Assignment.objects.update(last_reminded_at=None)
    assert services.send_due_reminders(now=now + timedelta(days=4, hours=1)) == 5
    assert set(Reminder.objects.filter(campaign=campaign).values_list("key", flat=True)) == {"day2", "day4"}
