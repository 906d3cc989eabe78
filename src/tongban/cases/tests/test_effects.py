"""Effects registered in code run when a case completes, in the same transaction: if
the effect fails, the case does not complete either. A service with no effect still
completes and notifies."""

import pytest

from tongban.cases import services
from tongban.cases.models import Case, WorkItem
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach
from tongban.catalog import effects
from tongban.catalog.services import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_step_service(certificate_service):
    certificate_service.steps.exclude(key="college").delete()
    return certificate_service


def _complete(world, item):
    publish(actor=None, item=item)
    item.refresh_from_db()
    case = services.start_application(actor=world.applicant, item=item)
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    case = services.submit(actor=world.applicant, case=case)
    return case, WorkItem.objects.get(case=case, state="open")


def test_the_services_effect_runs_when_the_case_completes(world, one_step_service):
    seen = []

    @effects.register("test.remember", "记下办结的办件")
    def remember(*, case, actor):
        seen.append((case.serial, actor.username, case.status))

    one_step_service.effect = "test.remember"
    one_step_service.save()
    case, item = _complete(world, one_step_service)
    services.decide(actor=world.college_admin, item=item, outcome="approve")
    assert seen == [(case.serial, "college_admin", "completed")]


def test_a_failing_effect_leaves_the_case_as_it_was(world, one_step_service):
    @effects.register("test.explode", "总是失败")
    def explode(*, case, actor):
        raise RuntimeError("the household record is locked")

    one_step_service.effect = "test.explode"
    one_step_service.save()
    case, item = _complete(world, one_step_service)
    with pytest.raises(RuntimeError):
        services.decide(actor=world.college_admin, item=item, outcome="approve")
    assert Case.objects.get(pk=case.pk).status == "in_approval"
    assert WorkItem.objects.get(pk=item.pk).state == "open"


def test_a_service_without_an_effect_still_completes_and_notifies(world, one_step_service):
    case, item = _complete(world, one_step_service)
    case = services.decide(actor=world.college_admin, item=item, outcome="approve")
    assert case.status == "completed"
    assert case.events.last().label == "办结"
    from tongban.notify.models import Message

    assert Message.objects.filter(recipient=world.applicant, event="case.completed").exists()
