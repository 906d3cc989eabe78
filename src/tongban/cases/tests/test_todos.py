"""What cases put on the one to-do list (notify.todos): a step for whoever may decide it,
with its deadline and a link to the case; for the applicant, a case returned to them."""

import pytest

from tongban.cases import services
from tongban.cases.models import WorkItem
from tongban.notify import todos

pytestmark = pytest.mark.django_db


def _of(user):
    return [(t.title, t.url, t.due) for t in todos.for_user(user, only={"cases"})]


def test_the_counsellor_has_the_step_and_the_applicant_nothing_while_it_waits(world, certificate_service, submitted):
    case = submitted(certificate_service)
    step = WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)
    assert _of(world.college_admin) == [
        (f"{case.serial} 学士学位证书遗失证明：学院审核", f"/workbench/cases/{case.pk}/", step.due_date)]
    assert _of(world.applicant) == []
    assert _of(world.outsider) == []


def test_a_returned_case_is_the_applicants_to_do_and_leaves_the_counsellors(world, certificate_service, submitted):
    case = submitted(certificate_service)
    step = WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)
    services.decide(actor=world.college_admin, item=step, outcome="return", comment="请补充毕业年份证明")
    assert _of(world.applicant) == [("学士学位证书遗失证明：修改后重新提交", f"/cases/{case.pk}/edit/", None)]
    assert _of(world.college_admin) == []
