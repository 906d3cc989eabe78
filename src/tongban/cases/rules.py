"""Rules between acts that a page, the API and the act itself all ask: each is one
function, so a button is shown exactly when its act would be taken."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.models import Case, Status, WorkItem
from tongban.catalog import workdays
from tongban.lib.errors import StateConflict

# Working days the window has to accept or refuse a submission (行政许可法 §32: five).
ACCEPTANCE_DAYS = 5
URGE_INTERVAL = timedelta(hours=24)


def acceptance_due(case: Case) -> date:
    """The day by which a submitted case should have been accepted or refused."""
    return workdays.add_working_days(timezone.localdate(case.submitted_at), ACCEPTANCE_DAYS, unit=case.org_unit)


def urge_refusal(case: Case, *, now: datetime | None = None) -> StateConflict | None:
    """Why the applicant may not urge (催办) `case` now, or None when they may: only a
    case waiting for acceptance or in approval, only once it is overdue (past
    ACCEPTANCE_DAYS working days unaccepted, past its promised date, or a step past its
    own), and at most once per URGE_INTERVAL."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if case.status not in (Status.IN_APPROVAL, Status.SUBMITTED):
        return StateConflict("illegal_transition", _("The case is now “%(status)s” and cannot be urged")
                             % {"status": case.get_status_display()},
                             extra={"status": case.status})
    if case.status == Status.SUBMITTED:
        overdue = case.submitted_at is not None and acceptance_due(case) < today
    else:
        overdue = bool(case.due_date and case.due_date < today) or WorkItem.objects.filter(
            case=case, state=WorkItem.State.OPEN, due_date__lt=today).exists()
    if not overdue:
        return StateConflict("not_overdue", _("The case is not past its deadline yet and cannot be urged"))
    if case.last_urged_at and now - case.last_urged_at < URGE_INTERVAL:
        return StateConflict("urged_recently", _("You can urge once a day; please try again tomorrow"))
    return None
