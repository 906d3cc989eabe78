"""The timeline: every act on a case leaves one event, in the order the acts happened,
with the statuses it moved the case between, and an audit entry saying the same."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.cases import services
from tongban.cases.models import WorkItem
from tongban.cases.tests.conftest import pdf, png
from tongban.cases.uploads import attach
from tongban.catalog.models import Step
from tongban.catalog.services import publish

pytestmark = pytest.mark.django_db


def _timeline(case):
    return list(case.events.values_list("action", "from_status", "to_status"))


def _trail(case):
    return [(e.action.removeprefix("case."), e.details["from"], e.details["to"]) for e in
            AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk), action__in=[
                "case.submit", "case.accept", "case.approve", "case.complete", "case.return", "case.resubmit"])
            .order_by("seq")]


def test_submitting_without_acceptance_moves_the_case_into_approval(world, certificate_service, submitted,
                                                                     academic):
    case = submitted(certificate_service)
    assert _timeline(case) == [("submit", "draft", "in_approval")]
    for actor in (world.college_admin, academic.approver, academic.clerk):
        services.decide(actor=actor, item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    assert _timeline(case) == [
        ("submit", "draft", "in_approval"), ("approve", "in_approval", "in_approval"),
        ("approve", "in_approval", "in_approval"), ("approve", "in_approval", "in_approval"),
        ("complete", "in_approval", "completed")]
    assert _trail(case) == _timeline(case)


def test_acceptance_is_recorded_before_a_completion_it_causes(world, residence_service):
    """When every step is skipped, accepting completes the case at once: the timeline
    still says accepted, then completed."""
    Step.objects.filter(item=residence_service).update(skip_if='address != ""')
    publish(actor=None, item=residence_service)
    residence_service.refresh_from_db()
    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    attach(actor=world.applicant, case=case, material_key="photo", upload=png())
    attach(actor=world.applicant, case=case, material_key="lease", upload=pdf("lease.pdf"))
    case = services.submit(actor=world.applicant, case=case)
    case = services.accept(actor=world.clerk, case=case)  # 容缺 would not complete: test_completion_needs_materials
    assert case.status == "completed"
    assert _timeline(case) == [("submit", "draft", "submitted"), ("accept", "submitted", "in_approval"),
                               ("complete", "in_approval", "completed")]
    assert _trail(case) == _timeline(case)


def test_acceptance_then_a_return_and_a_resubmission(world, residence_service, station):
    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    case = services.submit(actor=world.applicant, case=case)
    services.accept(actor=world.clerk, case=case, deficient=["photo", "lease"])
    services.decide(actor=station.officer, item=WorkItem.objects.get(case=case, state="open"), outcome="return",
                    comment="地址不详")
    case = services.submit(actor=world.applicant, case=case)
    assert _timeline(case) == [
        ("submit", "draft", "submitted"), ("accept", "submitted", "in_approval"),
        ("return", "in_approval", "returned"), ("resubmit", "returned", "in_approval")]
    assert _trail(case) == _timeline(case)
