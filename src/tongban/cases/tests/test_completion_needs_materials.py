"""No case reaches 办结 while a required material is outstanding, whatever the path:
the last step approved after 容缺受理, a workflow whose steps are all skipped (after
acceptance or at submission), a service with no acceptance step, an effect's
completion; refused with the materials named, the act leaving nothing behind. On
PostgreSQL, the final approval races a stale page's file removal and a supplement."""

import pytest

from tongban.accounts.roles import Role
from tongban.audit.models import AuditEntry
from tongban.cases import services
from tongban.cases.models import Attachment, Case, WorkItem
from tongban.cases.tests.conftest import pdf, png
from tongban.cases.uploads import attach, remove
from tongban.catalog import effects
from tongban.catalog.models import FormField, Material, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish
from tongban.conftest import at_once
from tongban.lib.errors import ApplicationError, StateConflict

pytestmark = pytest.mark.django_db


def _residence_case(world, residence_service, *, photo: bool = False):
    """Submitted with its core form and the lease; the photo only if asked."""
    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    attach(actor=world.applicant, case=case, material_key="lease", upload=pdf("lease.pdf"))
    if photo:
        attach(actor=world.applicant, case=case, material_key="photo", upload=png())
    return services.submit(actor=world.applicant, case=case)


def _at_final_step(world, station, case):
    """Through the station's review: the branch's approval is the last open step."""
    services.decide(actor=station.officer, item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    return WorkItem.objects.get(case=case, state="open")


def _refused_completion(caught, *names):
    assert (caught.value.code, caught.value.status, caught.value.field) == ("material_outstanding", 409, "materials")
    assert caught.value.message == "以下材料尚未提交或待补正，办件不能办结：" + "、".join(names)


def test_the_last_approval_of_a_case_accepted_with_deficiency_is_refused_naming_the_material(
        world, station, residence_service):
    case = services.accept(actor=world.clerk, case=_residence_case(world, residence_service), deficient=["photo"])
    final = _at_final_step(world, station, case)
    with pytest.raises(StateConflict) as caught:
        services.decide(actor=world.approver, item=final, outcome="approve")
    _refused_completion(caught, "近期照片")
    assert Case.objects.get(pk=case.pk).status == "in_approval"
    assert WorkItem.objects.get(pk=final.pk).state == "open"  # the decision rolled back with it
    assert not AuditEntry.objects.filter(action__in=("case.approve", "case.complete")).exclude(
        actor=station.officer).exists()


def test_after_the_supplement_the_same_approval_completes_the_case(world, station, residence_service):
    case = services.accept(actor=world.clerk, case=_residence_case(world, residence_service), deficient=["photo"])
    final = _at_final_step(world, station, case)
    services.upload_material(actor=world.applicant, case=case, material_key="photo", upload=png())
    case = services.decide(actor=world.approver, item=final, outcome="approve")
    assert case.status == "completed"


def test_a_file_accepted_as_not_acceptable_still_blocks_completion_until_supplemented(
        world, station, residence_service):
    case = _residence_case(world, residence_service, photo=True)
    case = services.accept(actor=world.clerk, case=case, deficient=["photo"])  # the photo is there but unusable
    final = _at_final_step(world, station, case)
    with pytest.raises(StateConflict) as caught:
        services.decide(actor=world.approver, item=final, outcome="approve")
    _refused_completion(caught, "近期照片")


def test_the_final_approval_is_refused_through_the_workbench_with_the_message(
        world, station, residence_service, login):
    case = services.accept(actor=world.clerk, case=_residence_case(world, residence_service), deficient=["photo"])
    final = _at_final_step(world, station, case)
    client = login(world.approver)
    answer = client.post(f"/workbench/work/{final.pk}/", {"outcome": "approve", "comment": ""}, follow=True)
    assert "以下材料尚未提交或待补正，办件不能办结：近期照片" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).status == "in_approval"
    # the same form posted again (a second tab, a replay) is refused the same way
    client.post(f"/workbench/work/{final.pk}/", {"outcome": "approve", "comment": ""})
    assert Case.objects.get(pk=case.pk).status == "in_approval"


@pytest.fixture
def quick_service(world, station):
    """Accepted by the window; its one step is skipped for a "quick" answer, so the
    acceptance itself completes the case."""
    item = ServiceItem.objects.create(
        code="quick-proof", name="即时证明", category="户政", org_unit=world.east_1, serial_prefix="JS",
        needs_acceptance=True, promised_days=1, statutory_days=5)
    FormField.objects.create(item=item, order=1, key="quick", label="即时办理", type="yesno")
    Material.objects.create(item=item, order=1, key="form", name="申请表", core=True)
    Material.objects.create(item=item, order=2, key="photo", name="近期照片", core=False, file_types="jpg,png")
    Step.objects.create(item=item, stage=1, key="review", name="所内审核", role=Role.OFFICER,
                        unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=1, skip_if='quick == "是"')
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


def test_an_acceptance_with_deficiency_that_would_complete_at_once_is_refused(world, quick_service):
    case = services.start_application(actor=world.applicant, item=quick_service)
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    case = services.submit(actor=world.applicant, case=case, answers={"quick": "是"})
    with pytest.raises(StateConflict) as caught:
        services.accept(actor=world.clerk, case=case, deficient=["photo"])
    _refused_completion(caught, "近期照片")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.deficiencies, fresh.accepted_at) == ("submitted", [], None)
    assert not WorkItem.objects.filter(case=case).exists()


def test_an_acceptance_with_everything_in_still_completes_at_once(world, quick_service):
    case = services.start_application(actor=world.applicant, item=quick_service)
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    attach(actor=world.applicant, case=case, material_key="photo", upload=png())
    case = services.submit(actor=world.applicant, case=case, answers={"quick": "是"})
    assert services.accept(actor=world.clerk, case=case).status == "completed"


def test_a_service_without_acceptance_refuses_a_missing_non_core_material_at_submission(
        world, certificate_service):
    """No acceptor will accept it with deficiency: it would go to approval and reach
    its last step without the clipping."""
    case = services.start_application(actor=world.applicant, item=certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    with pytest.raises(ApplicationError) as caught:
        services.submit(actor=world.applicant, case=case,
                        answers={"year": "2024", "reported": "是", "newspaper": "某报"})
    assert (caught.value.code, caught.value.field, caught.value.message) == (
        "material_missing", "clipping", "请上传登报剪报")
    assert Case.objects.get(pk=case.pk).status == "draft"


def test_a_case_in_approval_without_its_material_cannot_complete_by_the_last_step(
        world, certificate_service, academic):
    """Say the file went missing by a path this code does not have (a restore, an
    import): the last step still cannot complete the case."""
    case = services.start_application(actor=world.applicant, item=certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    case = services.submit(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    services.decide(actor=world.college_admin, item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    services.decide(actor=academic.approver, item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    Attachment.objects.filter(case=case).delete()
    with pytest.raises(StateConflict) as caught:
        services.decide(actor=academic.clerk, item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    _refused_completion(caught, "遗失声明")


def test_a_resubmission_to_the_stage_that_returned_it_needs_the_material_removed_meanwhile(
        world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    statement = attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    case = services.submit(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    services.decide(actor=world.college_admin, item=WorkItem.objects.get(case=case, state="open"),
                    outcome="return", comment="请补充")
    remove(actor=world.applicant, attachment=Attachment.objects.select_related("case").get(pk=statement.pk))
    with pytest.raises(ApplicationError) as caught:
        services.submit(actor=world.applicant, case=case)
    assert caught.value.field == "statement"


def test_an_effect_does_not_run_when_completion_is_refused(world, station, residence_service):
    seen = []

    @effects.register("test.completion_seen", "记下办结")
    def remember(*, case, actor):
        seen.append(case.pk)

    residence_service.effect = "test.completion_seen"
    residence_service.save()
    publish(actor=None, item=residence_service)
    residence_service.refresh_from_db()
    case = services.accept(actor=world.clerk, case=_residence_case(world, residence_service), deficient=["photo"])
    final = _at_final_step(world, station, case)
    with pytest.raises(StateConflict):
        services.decide(actor=world.approver, item=final, outcome="approve")
    assert seen == []


# --- races (PostgreSQL) ------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_final_approval_and_a_stale_pages_file_removal_never_leave_a_completed_case_without_it(
        world, certificate_service, academic):
    """The applicant's page was read while the case was returned; the case went back
    to its last step; now the removal from that page and the last approval come at
    once. Whichever goes first, the completed case has its statement."""
    case = services.start_application(actor=world.applicant, item=certificate_service)
    statement = attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    case = services.submit(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    services.decide(actor=world.college_admin, item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    services.decide(actor=academic.approver, item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    services.decide(actor=academic.clerk, item=WorkItem.objects.get(case=case, state="open"), outcome="return",
                    comment="请核对")
    stale = Attachment.objects.select_related("case").get(pk=statement.pk)  # the page's read: returned
    services.submit(actor=world.applicant, case=case)
    final = WorkItem.objects.get(case=case, state="open")

    outcomes = at_once(2, lambda n: (services.decide(actor=academic.clerk, item=final, outcome="approve") if n == 0
                                     else remove(actor=world.applicant, attachment=stale)))

    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "completed"
    assert Attachment.objects.filter(case=case, material_key="statement").exists()
    assert isinstance(outcomes[1], StateConflict) and outcomes[1].code == "not_editable"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_final_approval_and_the_supplement_at_once_complete_only_with_the_supplement(
        world, station, residence_service):
    case = services.accept(actor=world.clerk, case=_residence_case(world, residence_service), deficient=["photo"])
    final = _at_final_step(world, station, case)

    outcomes = at_once(2, lambda n: (services.decide(actor=world.approver, item=final, outcome="approve") if n == 0
                                     else services.upload_material(actor=world.applicant, case=case,
                                                                   material_key="photo", upload=png())))

    fresh = Case.objects.get(pk=case.pk)
    assert not isinstance(outcomes[1], BaseException)  # the supplement is always taken
    if fresh.status == "completed":  # the approval came second
        assert fresh.deficiencies == [] and not isinstance(outcomes[0], BaseException)
    else:  # the approval came first and was refused, naming the photo
        assert fresh.status == "in_approval" and fresh.deficiencies == []
        assert isinstance(outcomes[0], StateConflict) and outcomes[0].code == "material_outstanding"
