"""A completed case prints as a PDF carrying the seal of each unit whose signed step
approved it; the seals verify as intact and trusted, and each print is on the trail."""

from tongban.archive.selectors import verify_pdf
from tongban.audit.models import AuditEntry
from tongban.cases import services
from tongban.cases.models import WorkItem
from tongban.catalog.models import Step
from tongban.catalog.services import publish


def _finish(case, world, academic):
    """College, then academic affairs (signed), then the print step."""
    for actor, sign in ((world.college_admin, False), (academic.approver, True), (academic.clerk, False)):
        item = WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)
        case = services.decide(actor=actor, item=item, outcome=WorkItem.Outcome.APPROVE, comment="同意", sign=sign)
    return case


def test_the_result_carries_the_signing_units_seal(world, academic, certificate_service, submitted, login):
    Step.objects.filter(item=certificate_service, key="academic").update(needs_signature=True)
    publish(actor=None, item=certificate_service)
    certificate_service.refresh_from_db()
    case = _finish(submitted(certificate_service), world, academic)
    assert case.status == "completed"

    response = login(world.applicant).get(f"/cases/{case.pk}/result.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    seals = verify_pdf(response.content)
    assert [(s.unit_name, s.ok, s.covers_whole_file) for s in seals] == [("教务处", True, True)]
    assert AuditEntry.objects.filter(action="archive.sealed").count() == 1

    # staff within reach print it too; someone else's case is not found
    assert login(academic.approver).get(f"/workbench/cases/{case.pk}/result.pdf").status_code == 200
    assert login(world.outsider).get(f"/cases/{case.pk}/result.pdf").status_code == 404


def test_no_result_before_completion(world, certificate_service, submitted, login):
    case = submitted(certificate_service)
    assert login(world.applicant).get(f"/cases/{case.pk}/result.pdf").status_code == 404
