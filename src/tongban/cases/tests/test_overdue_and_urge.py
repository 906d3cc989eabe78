"""Deadlines: the overdue sweep tells a step's holders and the supervisors of its unit
and the units above, once per step; the applicant urges an overdue case at most once
a day; the sweep runs as a periodic task."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.cases import services
from tongban.cases.models import Case, WorkItem
from tongban.lib.errors import NotAllowed, StateConflict
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(certificate_service, submitted):
    return submitted(certificate_service)


@pytest.fixture
def step(case):
    return WorkItem.objects.get(case=case, state="open")


def _supervisor(username, unit):
    user = create_user(actor=None, username=username, password="x-long-password")
    grant_role(actor=None, user=user, role=Role.SUPERVISOR, org_unit=unit)
    return user


def _told(event: str) -> set[str]:
    return set(Message.objects.filter(event=event, channel="inbox").values_list("recipient__username", flat=True))


def _past_due(case, days=1):
    WorkItem.objects.filter(case=case).update(due_date=timezone.localdate() - dt.timedelta(days=days))


def test_an_overdue_step_is_flagged_to_its_holders_and_the_supervisors_above_it_once(world, case, step):
    _supervisor("dean", world.econ)
    _supervisor("president", world.univ)
    _supervisor("other_dean", world.law)  # a sibling college: not above the step's unit
    _supervisor("city_chief", world.city)
    after = step.due_date + dt.timedelta(days=1)
    assert services.flag_overdue(today=after) == 1
    assert _told("case.overdue") == {"college_admin", "dean", "president"}
    message = Message.objects.get(event="case.overdue", channel="inbox", recipient=world.college_admin)
    assert message.body == (f"申请 {case.serial}（学士学位证书遗失证明）的“学院审核”已超过期限 "
                            f"{step.due_date.isoformat()}，请尽快办理。")
    assert message.link == f"/workbench/cases/{case.pk}/"
    assert WorkItem.objects.get(pk=step.pk).overdue_notified_on == after
    count = Message.objects.count()
    assert services.flag_overdue(today=after) == 0
    assert services.flag_overdue(today=after + dt.timedelta(days=5)) == 0
    assert Message.objects.count() == count


def test_a_step_on_its_last_day_is_not_overdue(world, case, step):
    assert services.flag_overdue(today=step.due_date) == 0
    assert _told("case.overdue") == set()
    assert WorkItem.objects.get(pk=step.pk).overdue_notified_on is None


def test_a_decided_step_is_never_flagged(world, case, step):
    services.decide(actor=world.college_admin, item=step, outcome="approve")
    WorkItem.objects.filter(case=case, state="open").update(due_date=timezone.localdate() + dt.timedelta(days=30))
    assert services.flag_overdue(today=step.due_date + dt.timedelta(days=1)) == 0


def test_a_claimed_overdue_step_is_flagged_to_its_assignee_and_not_their_colleagues(world, case, step):
    colleague = create_user(actor=None, username="colleague", password="x-long-password")
    grant_role(actor=None, user=colleague, role=Role.COLLEGE_ADMIN, org_unit=world.econ)
    services.claim(actor=world.college_admin, item=step)
    services.flag_overdue(today=step.due_date + dt.timedelta(days=1))
    assert _told("case.overdue") == {"college_admin"}


def test_urging_before_any_deadline_has_passed_is_refused(world, case):
    with pytest.raises(StateConflict) as caught:
        services.urge(actor=world.applicant, case=case)
    assert (caught.value.code, caught.value.message) == ("not_overdue", "办件尚未超过办理期限，暂不能催办")
    assert Case.objects.get(pk=case.pk).last_urged_at is None
    assert _told("case.urged") == set()


def test_urging_an_overdue_step_tells_its_holders_once_a_day(world, case, step):
    _past_due(case)
    assert services.urge(actor=world.applicant, case=case) == 1
    assert _told("case.urged") == {"college_admin"}
    assert Message.objects.get(event="case.urged", channel="inbox").body.startswith(
        f"李同学 催办申请 {case.serial}（学士学位证书遗失证明）的“学院审核”")
    assert case.events.order_by("-id").values_list("action", flat=True).first() == "urge"
    with pytest.raises(StateConflict) as caught:
        services.urge(actor=world.applicant, case=case)
    assert (caught.value.code, caught.value.message) == ("urged_recently", "每天只能催办一次，请明天再试")
    assert Message.objects.filter(event="case.urged").count() == 1
    Case.objects.filter(pk=case.pk).update(last_urged_at=timezone.now() - dt.timedelta(hours=25))
    assert services.urge(actor=world.applicant, case=case) == 1


def test_a_case_past_its_promised_date_may_be_urged_though_its_step_is_not(world, case):
    Case.objects.filter(pk=case.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert services.urge(actor=world.applicant, case=case) == 1


def test_only_the_applicant_urges(world, case):
    _past_due(case)
    with pytest.raises(NotAllowed):
        services.urge(actor=world.college_admin, case=case)


@pytest.mark.parametrize("status", ["completed", "withdrawn", "returned", "draft", "refused"])
def test_a_case_that_is_not_in_progress_cannot_be_urged(world, case, status):
    _past_due(case)
    Case.objects.filter(pk=case.pk).update(status=status)
    with pytest.raises(StateConflict) as caught:
        services.urge(actor=world.applicant, case=case)
    assert caught.value.code == "illegal_transition"


def test_the_overdue_sweep_is_a_periodic_task(world, case, step):
    from huey.api import PeriodicTask

    from tongban.cases.tasks import flag_overdue_work

    assert isinstance(flag_overdue_work.task_class(), PeriodicTask)
    _past_due(case)
    flag_overdue_work()  # immediate in tests
    assert _told("case.overdue") == {"college_admin"}
    assert WorkItem.objects.get(pk=step.pk).overdue_notified_on == timezone.localdate()


def test_supervisors_see_late_work_in_the_units_they_oversee(world, case, login):
    WorkItem.objects.filter(case=case).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    boss = create_user(actor=None, username="dean", password="x-long-password")
    grant_role(actor=None, user=boss, role=Role.SUPERVISOR, org_unit=world.univ)
    page = login(boss).get("/workbench/todo/?tab=supervise").content.decode()
    assert case.serial in page and "督办：超期环节" in page
    other = create_user(actor=None, username="city_boss", password="x-long-password")
    grant_role(actor=None, user=other, role=Role.SUPERVISOR, org_unit=world.city)
    assert case.serial not in login(other).get("/workbench/todo/?tab=supervise").content.decode()
    assert "督办：超期环节" not in login(world.clerk).get("/workbench/todo/").content.decode()


def test_a_case_waiting_for_acceptance_past_five_working_days_urges_the_window(world, residence_service):
    """Before acceptance there is no step yet: the urge goes to whoever accepts for the
    service's unit (here the station's clerk and the officer above it, not others)."""
    from tongban.cases.tests.conftest import pdf
    from tongban.cases.uploads import attach

    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门路 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    case = services.submit(actor=world.applicant, case=case)
    assert case.status == "submitted"
    with pytest.raises(StateConflict) as early:
        services.urge(actor=world.applicant, case=case)
    assert early.value.code == "not_overdue"
    Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - dt.timedelta(days=14))
    told = services.urge(actor=world.applicant, case=case)
    assert told >= 1
    assert "clerk" in _told("case.urged") and "college_admin" not in _told("case.urged")
    with pytest.raises(StateConflict):
        services.urge(actor=world.applicant, case=case)
