"""A case's result notice is sealed level by level, each at its approver's act, in
that officer's name with their unit's seal; the completing act issues it; every
download serves the stored file, with one trail entry and no new seal."""

import pytest
from django.db import connection

from tongban.archive.models import SealedDocument
from tongban.archive.selectors import document_for, verify_upload
from tongban.audit.models import AuditEntry
from tongban.cases import services
from tongban.cases.models import WorkItem
from tongban.cases.tests.conftest import pdf, png
from tongban.catalog.models import Step
from tongban.catalog.services import publish
from tongban.conftest import at_once, failures
from tongban.lib.errors import StateConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_residence(residence_service):
    """Both levels (station review, branch approval) sign."""
    Step.objects.filter(item=residence_service).update(needs_signature=True)
    publish(actor=None, item=residence_service)
    residence_service.refresh_from_db()
    return residence_service


@pytest.fixture
def accepted(world):
    from tongban.cases.uploads import attach

    def _accepted(service):
        case = services.start_application(actor=world.applicant, item=service)
        services.save_draft(actor=world.applicant, case=case, answers={"address": "东门路 1 号"})
        for key in ("form", "photo", "lease"):
            attach(actor=world.applicant, case=case, material_key=key, upload=png() if key == "photo" else pdf())
        case = services.submit(actor=world.applicant, case=case)
        return services.accept(actor=world.clerk, case=case)

    return _accepted


def _decide(case, actor, *, outcome=WorkItem.Outcome.APPROVE, sign=True, comment="同意"):
    item = WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)
    return services.decide(actor=actor, item=item, outcome=outcome, comment=comment, sign=sign)


def test_each_level_is_sealed_at_its_approvers_act_in_their_name(world, station, signed_residence, accepted):
    case = accepted(signed_residence)

    case = _decide(case, station.officer)
    notice = document_for(subject=case, kind=SealedDocument.Kind.RESULT)
    assert notice.state == SealedDocument.State.SIGNING
    assert [(s.level, s.org_unit.name, s.signer, s.signer_name) for s in notice.seals.all()] == [
        ("所内审核", "东门派出所", station.officer, "所内民警")]

    case = _decide(case, world.approver)
    assert case.status == "completed"
    notice.refresh_from_db()
    assert notice.state == SealedDocument.State.ISSUED
    result = verify_upload(bytes(notice.pdf))
    assert result.verdict == "有效"
    assert [(s.check.unit_name, s.check.signer_name, s.level, s.check.ok) for s in result.seals] == [
        ("东门派出所", "所内民警", "所内审核", True), ("东城分局", "approver", "分局审批", True)]
    # no system seal at completion: the levels are all there is
    assert not AuditEntry.objects.filter(action="archive.sealed", actor__isnull=True).exists()


def test_a_service_with_no_signing_step_is_sealed_by_the_officer_whose_approval_completed_it(
        world, academic, certificate_service, submitted):
    case = submitted(certificate_service)
    for actor in (world.college_admin, academic.approver, academic.clerk):
        case = _decide(case, actor, sign=False)
    assert case.status == "completed"

    notice = document_for(subject=case, kind=SealedDocument.Kind.RESULT)
    [seal] = verify_upload(bytes(notice.pdf)).seals
    assert (seal.check.unit_name, seal.check.signer_name, seal.level, seal.check.ok) == (
        "教务处", "教务处窗口", "打印证明", True)


def test_two_downloads_serve_identical_bytes_with_one_entry_each_and_no_new_seal(
        world, station, signed_residence, accepted, login):
    case = _decide(_decide(accepted(signed_residence), station.officer), world.approver)
    seals_before = AuditEntry.objects.filter(action="archive.sealed").count()
    archive_before = AuditEntry.objects.filter(action__startswith="archive.").count()
    client = login(world.applicant)

    first = client.get(f"/cases/{case.pk}/result.pdf")
    second = client.get(f"/cases/{case.pk}/result.pdf")

    assert first.status_code == second.status_code == 200
    assert first.content == second.content == bytes(document_for(subject=case, kind="result").pdf)
    assert first["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action="archive.sealed").count() == seals_before == 2
    assert AuditEntry.objects.filter(action="archive.document_downloaded").count() == 2
    assert AuditEntry.objects.filter(action__startswith="archive.").count() == archive_before + 2


def test_replaying_a_decision_seals_nothing_twice(world, station, signed_residence, accepted):
    case = accepted(signed_residence)
    item = WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)
    services.decide(actor=station.officer, item=item, outcome=WorkItem.Outcome.APPROVE, comment="同意", sign=True)

    with pytest.raises(StateConflict):
        services.decide(actor=station.officer, item=item, outcome=WorkItem.Outcome.APPROVE, comment="同意", sign=True)

    assert document_for(subject=case, kind="result").seals.count() == 1
    assert AuditEntry.objects.filter(action="archive.sealed").count() == 1


def test_a_return_voids_the_notice_in_progress_and_the_next_one_has_its_own_number(
        world, station, signed_residence, accepted, client):
    case = _decide(accepted(signed_residence), station.officer)
    first = document_for(subject=case, kind="result")
    case = _decide(case, world.approver, outcome=WorkItem.Outcome.RETURN, comment="地址不全")
    first.refresh_from_db()
    assert first.state == SealedDocument.State.VOID

    case = services.submit(actor=world.applicant, case=case, answers={"address": "东门路 1 号 2 单元"})
    case = _decide(case, world.approver)

    second = document_for(subject=case, kind="result")
    assert case.status == "completed" and second.state == SealedDocument.State.ISSUED
    assert (first.number, second.number) == (f"{case.serial}-JG", f"{case.serial}-JG2")
    page = client.get("/archive/verify/", {"number": first.number})
    assert "已作废" in page.text and "退回补正" in page.text


def test_a_rejected_case_voids_its_notice(world, station, signed_residence, accepted):
    case = _decide(accepted(signed_residence), station.officer)
    _decide(case, world.approver, outcome=WorkItem.Outcome.REJECT, comment="不符合条件")

    assert document_for(subject=case, kind="result") is None
    assert SealedDocument.objects.get().state == SealedDocument.State.VOID


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvers_sealing_one_notice_at_once_both_land_and_both_validate(world, station, residence_service,
                                                                              accepted, on_postgres):
    """Two steps in one stage, both signing, decided at the same moment: the notice's
    row is locked for each seal, so one seal follows the other and none is lost."""
    if not on_postgres:
        pytest.skip("a race needs PostgreSQL")
    Step.objects.filter(item=residence_service, key="approve").update(stage=1, unit_rule="fixed", unit=world.east,
                                                                       needs_signature=True)
    Step.objects.filter(item=residence_service, key="review").update(needs_signature=True)
    publish(actor=None, item=residence_service)
    residence_service.refresh_from_db()
    case = accepted(residence_service)
    items = list(WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN).order_by("step_key"))
    assert [i.step_key for i in items] == ["approve", "review"]
    actors = [world.approver, station.officer]

    outcomes = at_once(2, lambda n: services.decide(actor=actors[n], item=items[n], outcome="approve",
                                                     comment="同意", sign=True).pk)

    assert not failures(outcomes), outcomes
    notice = document_for(subject=case, kind="result")
    assert notice.state == SealedDocument.State.ISSUED and notice.seals.count() == 2
    result = verify_upload(bytes(notice.pdf))
    assert result.verdict == "有效" and result.current
    assert sorted(s.check.signer_name for s in result.seals) == ["approver", "所内民警"]
    assert connection.vendor == "postgresql"


def test_a_case_completed_before_documents_were_kept_is_issued_once_at_its_first_download(
        world, station, signed_residence, accepted, login):
    from tongban.archive.models import DocumentSeal

    case = _decide(_decide(accepted(signed_residence), station.officer), world.approver)
    DocumentSeal.objects.all().delete()
    SealedDocument.objects.all().delete()  # as a case completed before this change has none
    client = login(world.applicant)

    first = client.get(f"/cases/{case.pk}/result.pdf").content
    second = client.get(f"/cases/{case.pk}/result.pdf").content

    assert first == second
    [seal] = verify_upload(first).seals
    assert (seal.check.signer_name, seal.check.ok) == ("东门派出所（系统签章）", True)
    assert SealedDocument.objects.get().state == SealedDocument.State.ISSUED
