"""Acceptance at the window (受理): accepting, with deficiency for non-core materials
only (容缺受理); refusing with a reason; returning for correction; the applicant
supplementing later; who may accept; an auxiliary never deciding."""

import pytest
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import grant_role
from tongban.cases import services
from tongban.cases.models import Case, Delegation, WorkItem
from tongban.cases.tests.conftest import pdf, png
from tongban.cases.uploads import attach
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(world, residence_service):
    """Submitted with its core form and the lease, the photo missing."""
    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    attach(actor=world.applicant, case=case, material_key="lease", upload=pdf("lease.pdf"))
    return services.submit(actor=world.applicant, case=case)


def _unchanged(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.deficiencies, fresh.accepted_at, fresh.stage) == ("submitted", [], None, 0)


def test_a_submitted_case_waits_in_the_acceptance_tab_of_the_windows_clerk(world, waiting, login):
    assert (waiting.status, waiting.serial[:3]) == ("submitted", "JZ-")
    assert not WorkItem.objects.filter(case=waiting).exists()
    page = login(world.clerk).get("/workbench/todo/?tab=accept")
    assert page.status_code == 200
    assert waiting.serial in page.content.decode()


def test_the_acceptance_tab_of_another_units_staff_does_not_list_it(world, waiting, login):
    page = login(world.officer).get("/workbench/todo/?tab=accept")
    assert page.status_code == 200
    assert waiting.serial not in page.content.decode()
    assert "暂无待受理的申请" in page.content.decode()


def test_accepting_with_a_missing_non_core_material_as_deficient_starts_approval_and_tells_the_applicant(
        world, waiting, station):
    case = services.accept(actor=world.clerk, case=waiting, deficient=["photo"], comment="照片后补")
    assert (case.status, case.deficiencies, case.stage) == ("in_approval", ["photo"], 1)
    assert case.accepted_at is not None and case.due_date > timezone.localdate()
    review = WorkItem.objects.get(case=case, state="open")
    assert (review.step_key, review.org_unit_id) == ("review", world.east_1.pk)
    event = case.events.get(action="accept")
    assert (event.label, event.comment) == ("容缺受理", "照片后补；待补正材料：近期照片")
    told = Message.objects.get(recipient=world.applicant, event="case.accepted", channel="inbox")
    assert told.body == f"您的申请 {case.serial}（居住证明）已受理。待补正材料：近期照片"
    assert Message.objects.filter(recipient=station.officer, event="case.work_arrived").count() == 1


def test_accepting_with_everything_in_is_a_plain_acceptance(world, residence_service):
    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    for key, upload in [("form", pdf()), ("photo", png()), ("lease", pdf("lease.pdf"))]:
        attach(actor=world.applicant, case=case, material_key=key, upload=upload)
    case = services.accept(actor=world.clerk, case=services.submit(actor=world.applicant, case=case))
    assert (case.status, case.deficiencies) == ("in_approval", [])
    assert case.events.get(action="accept").label == "受理"


def test_a_core_material_cannot_be_accepted_as_deficient(world, waiting):
    with pytest.raises(ApplicationError) as caught:
        services.accept(actor=world.clerk, case=waiting, deficient=["photo", "form"])
    assert (caught.value.code, caught.value.field) == ("core_material", "deficient")
    assert caught.value.message == "申请表是核心材料，不能容缺受理"
    assert _unchanged(waiting)


def test_a_missing_non_core_material_not_listed_as_deficient_is_refused(world, waiting):
    with pytest.raises(ApplicationError) as caught:
        services.accept(actor=world.clerk, case=waiting)
    assert (caught.value.code, caught.value.message) == ("material_missing", "近期照片未提交：请容缺受理或退回")
    assert _unchanged(waiting)
    assert not Message.objects.filter(event="case.accepted").exists()


def test_an_unknown_material_cannot_be_listed_as_deficient(world, waiting):
    with pytest.raises(ApplicationError) as caught:
        services.accept(actor=world.clerk, case=waiting, deficient=["photo", "passport"])
    assert caught.value.code == "unknown_material"
    assert _unchanged(waiting)


def test_refusing_needs_a_reason_and_tells_the_applicant(world, waiting):
    with pytest.raises(ApplicationError) as caught:
        services.refuse(actor=world.clerk, case=waiting, reason="  ")
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")
    assert _unchanged(waiting)
    case = services.refuse(actor=world.clerk, case=waiting, reason="不在本所辖区")
    assert case.status == "refused"
    assert Message.objects.get(recipient=world.applicant, event="case.refused", channel="inbox").body == (
        f"您的申请 {case.serial}（居住证明）不予受理：不在本所辖区")


def test_a_case_returned_at_acceptance_is_corrected_and_waits_for_acceptance_again(world, waiting):
    with pytest.raises(ApplicationError) as caught:
        services.return_at_acceptance(actor=world.clerk, case=waiting, reason="")
    assert caught.value.code == "reason_required"
    case = services.return_at_acceptance(actor=world.clerk, case=waiting, reason="地址不完整")
    assert (case.status, case.return_reason) == ("returned", "地址不完整")
    assert Message.objects.filter(recipient=world.applicant, event="case.returned", channel="inbox").count() == 1
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号 3 单元 201"})
    again = services.submit(actor=world.applicant, case=case)
    assert (again.status, again.serial, again.return_reason) == ("submitted", waiting.serial, "")
    assert list(again.events.values_list("action", flat=True)) == ["submit", "return", "resubmit"]
    assert not WorkItem.objects.filter(case=again).exists()


def test_the_applicant_uploads_a_deficient_material_later_and_it_is_struck_off(world, waiting, login):
    services.accept(actor=world.clerk, case=waiting, deficient=["photo"])
    client = login(world.applicant)
    assert "待补正材料" in client.get(f"/cases/{waiting.pk}/").content.decode()
    answer = client.post(f"/cases/{waiting.pk}/upload/", {"material": "photo", "back": "detail", "file": png()})
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{waiting.pk}/")
    case = Case.objects.get(pk=waiting.pk)
    assert (case.status, case.deficiencies) == ("in_approval", [])
    assert case.attachments.filter(material_key="photo").count() == 1
    assert case.events.order_by("-id").values_list("action", "comment").first() == ("supplement", "近期照片")


def test_a_material_found_wanting_is_replaced_even_at_its_file_limit(world, waiting):
    """The lease was uploaded but not acceptable (容缺 for 不合格): the new file counts
    afresh beside the old one, which stays on record, and the old one alone does not
    strike the material off."""
    version = waiting.version
    version.config["materials"] = [{**m, "max_files": 1} if m["key"] == "lease" else m
                                   for m in version.config["materials"]]
    version.save()
    services.accept(actor=world.clerk, case=waiting, deficient=["photo", "lease"])
    with pytest.raises(ApplicationError) as not_yet:
        services.supplement(actor=world.applicant, case=waiting, material_key="lease")
    assert not_yet.value.code == "material_missing"
    attach(actor=world.applicant, case=waiting, material_key="lease", upload=pdf("lease-signed.pdf"))
    services.supplement(actor=world.applicant, case=waiting, material_key="lease")
    case = Case.objects.get(pk=waiting.pk)
    assert case.deficiencies == ["photo"]
    assert list(case.attachments.filter(material_key="lease").order_by("id").values_list("original_name", flat=True)) \
        == ["lease.pdf", "lease-signed.pdf"]


def test_a_material_not_awaiting_supplement_cannot_be_added_in_approval(world, waiting, login):
    services.accept(actor=world.clerk, case=waiting, deficient=["photo"])
    answer = login(world.applicant).post(f"/cases/{waiting.pk}/upload/",
                                         {"material": "lease", "back": "detail", "file": pdf("more.pdf")})
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()  # said on its page
    assert Case.objects.get(pk=waiting.pk).attachments.filter(material_key="lease").count() == 1


@pytest.mark.parametrize("persona", ["officer", "approver", "auxiliary", "college_admin", "outsider"])
def test_someone_without_case_accept_in_the_unit_is_refused_and_the_case_is_unchanged(world, waiting, persona):
    actor = getattr(world, persona)
    for act, kwargs in [(services.accept, {"deficient": ["photo"]}), (services.refuse, {"reason": "理由"}),
                        (services.return_at_acceptance, {"reason": "理由"})]:
        with pytest.raises(NotAllowed) as caught:
            act(actor=actor, case=waiting, **kwargs)
        assert caught.value.status == 403
    assert _unchanged(waiting)


def test_a_clerk_of_a_unit_above_may_accept(world, waiting):
    from tongban.accounts.services import create_user

    branch_clerk = create_user(actor=None, username="branch_clerk", password="x-long-password")
    grant_role(actor=None, user=branch_clerk, role=Role.CLERK, org_unit=world.east)
    assert services.accept(actor=branch_clerk, case=waiting, deficient=["photo"]).status == "in_approval"


def test_the_acceptance_page_accepts_with_deficiency(world, waiting, login):
    client = login(world.clerk)
    page = client.get(f"/workbench/cases/{waiting.pk}/")
    assert 'name="decision" value="accept"' in page.content.decode()
    answer = client.post(f"/workbench/cases/{waiting.pk}/accept/", {"decision": "accept", "deficient": ["photo"]})
    assert (answer.status_code, answer["Location"]) == (302, f"/workbench/cases/{waiting.pk}/")
    assert Case.objects.get(pk=waiting.pk).deficiencies == ["photo"]


def test_the_acceptance_page_shows_a_refusal_without_a_reason_as_an_error(world, waiting, login):
    answer = login(world.clerk).post(f"/workbench/cases/{waiting.pk}/accept/", {"decision": "refuse"},
                                     follow=True)
    assert "请填写不予受理的理由" in answer.content.decode()
    assert _unchanged(waiting)


def test_an_auxiliary_cannot_be_delegated_to(world, station):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as caught:
        services.delegate_work(actor=station.officer, to=world.auxiliary, start=today, end=today)
    assert (caught.value.code, caught.value.field) == ("auxiliary", "to")
    assert not Delegation.objects.exists()


def test_an_auxiliary_never_decides_a_step_even_when_work_was_handed_to_them(world, waiting, station):
    case = services.accept(actor=world.clerk, case=waiting, deficient=["photo"])
    review = WorkItem.objects.get(case=case, state="open")
    today = timezone.localdate()
    # a delegation the service would refuse, written past it
    Delegation.objects.create(delegator=station.officer, delegate=world.auxiliary, start=today, end=today)
    with pytest.raises(NotAllowed) as caught:
        services.decide(actor=world.auxiliary, item=review, outcome="approve")
    # a delegation passes on only the roles its delegate holds: not an officer's
    assert caught.value.code == "not_your_work"
    assert WorkItem.objects.get(pk=review.pk).state == "open"


def test_a_student_assistant_is_still_an_auxiliary_for_deciding_and_delegation(world, waiting, station):
    """An auxiliary who is also an applicant (a student assistant) gains nothing from
    the applicant role."""
    grant_role(actor=None, user=world.auxiliary, role=Role.APPLICANT, org_unit=world.econ)
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as caught:
        services.delegate_work(actor=station.officer, to=world.auxiliary, start=today, end=today)
    assert caught.value.code == "auxiliary"
    case = services.accept(actor=world.clerk, case=waiting, deficient=["photo"])
    review = WorkItem.objects.get(case=case, state="open")
    Delegation.objects.create(delegator=station.officer, delegate=world.auxiliary, start=today, end=today)
    with pytest.raises(NotAllowed) as caught:
        services.decide(actor=world.auxiliary, item=review, outcome="approve")
    # a delegation passes on only the roles its delegate holds: not an officer's
    assert caught.value.code == "not_your_work"
    assert WorkItem.objects.get(pk=review.pk).state == "open"


def test_a_clerk_cannot_accept_their_own_application(world, waiting):
    grant_role(actor=None, user=world.applicant, role=Role.CLERK, org_unit=world.east_1)
    with pytest.raises(NotAllowed) as caught:
        services.accept(actor=world.applicant, case=waiting, deficient=["photo"])
    assert caught.value.code == "own_case"
    assert _unchanged(waiting)


def test_a_supplement_that_fails_keeps_neither_the_file_nor_its_row(world, waiting, settings, monkeypatch):
    """The file and the supplement it makes are one act: when striking it off fails,
    the upload is gone too, on disk as in the database."""
    from pathlib import Path

    services.accept(actor=world.clerk, case=waiting, deficient=["photo"])

    def fails(**kwargs):
        raise StateConflict("busy", "办件正在被处理，请稍后再试")

    monkeypatch.setattr(services, "supplement", fails)
    with pytest.raises(StateConflict):
        services.upload_material(actor=world.applicant, case=waiting, material_key="photo", upload=png())
    case = Case.objects.get(pk=waiting.pk)
    assert case.deficiencies == ["photo"] and not case.attachments.filter(material_key="photo").exists()
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert {p.name for p in stored} == {Path(a.file.name).name for a in case.attachments.all()}


def test_a_withdrawn_case_offers_no_supplement_of_what_it_lacked(world, waiting, login):
    services.accept(actor=world.clerk, case=waiting, deficient=["photo"])
    services.withdraw(actor=world.applicant, case=Case.objects.get(pk=waiting.pk))
    page = login(world.applicant).get(f"/cases/{waiting.pk}/").content.decode()
    assert f'action="/cases/{waiting.pk}/upload/"' not in page and "<h2>待补正材料</h2>" not in page
