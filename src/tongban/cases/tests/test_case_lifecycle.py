"""An application from draft to completion through a three-stage workflow; returned
for correction and resubmitted; rejected; withdrawn; illegal transitions refused."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.cases import services, workflow
from tongban.cases.models import Case, WorkItem
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db


def _submitted(world, service, **answers):
    case = services.start_application(actor=world.applicant, item=service)
    services.save_draft(actor=world.applicant, case=case,
                        answers={"year": "2024", "reported": "否", **answers})
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    return services.submit(actor=world.applicant, case=case)


def _open_item(case):
    return WorkItem.objects.get(case=case, state="open")


def test_a_draft_is_prefilled_from_the_applicants_person_record(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    raw = world.applicant_person.plain_id_number()
    assert case.answers["name"] == "李同学"
    assert case.answers["id_number"] == raw[:6] + "********" + raw[-4:]  # shown masked
    assert services.secrets_of(case) == {"id_number": raw}  # kept encrypted
    assert raw not in case.secrets_enc


def test_an_application_goes_through_every_stage_and_completes(world, certificate_service, academic):
    case = _submitted(world, certificate_service)
    assert (case.status, case.serial[:8], case.stage) == ("in_approval", "XW-2026-"[:8], 1)
    college = _open_item(case)
    assert (college.step_key, college.org_unit_id) == ("college", world.econ.pk)
    services.decide(actor=world.college_admin, item=college, outcome="approve")
    services.decide(actor=academic.approver, item=_open_item(case), outcome="approve", comment="同意")
    printing = _open_item(case)
    assert (printing.step_key, printing.org_unit_id) == ("print", academic.unit.pk)
    case = services.decide(actor=academic.clerk, item=printing, outcome="approve")
    assert case.status == "completed" and case.completed_at is not None
    assert list(case.events.values_list("action", flat=True)) == ["submit", "approve", "approve", "approve",
                                                                   "complete"]
    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() >= 5
    # each act in the role it was done in: the applicant's own, the approvers' theirs
    roles = dict(AuditEntry.objects.filter(object_id=str(case.pk), action__in=["case.draft", "case.submit",
                                                                               "case.complete"])
                 .values_list("action", "role"))
    assert roles == {"case.draft": "applicant", "case.submit": "applicant", "case.complete": "clerk"}
    told = Message.objects.filter(recipient=world.applicant, channel="inbox").values_list("event", flat=True)
    assert set(told) == {"case.submitted", "case.completed"}
    assert Message.objects.filter(recipient=world.college_admin, event="case.work_arrived").exists()


def test_no_one_approves_their_own_application(world, certificate_service):
    from tongban.accounts.roles import Role
    from tongban.accounts.services import grant_role

    grant_role(actor=None, user=world.applicant, role=Role.COLLEGE_ADMIN, org_unit=world.econ)
    case = _submitted(world, certificate_service)
    with pytest.raises(NotAllowed) as caught:
        services.decide(actor=world.applicant, item=_open_item(case), outcome="approve")
    assert caught.value.code == "own_case"


def test_someone_without_the_steps_role_in_its_unit_is_refused(world, certificate_service, academic):
    case = _submitted(world, certificate_service)
    with pytest.raises(NotAllowed):
        services.decide(actor=academic.approver, item=_open_item(case), outcome="approve")  # not the college


def test_a_returned_case_is_corrected_and_goes_back_to_the_stage_that_returned_it(world, certificate_service,
                                                                                   academic):
    case = _submitted(world, certificate_service)
    services.decide(actor=world.college_admin, item=_open_item(case), outcome="approve")
    case = services.decide(actor=academic.approver, item=_open_item(case), outcome="return",
                           comment="毕业年份有误")
    assert (case.status, case.return_reason) == ("returned", "毕业年份有误")
    with pytest.raises(StateConflict):
        services.decide(actor=academic.approver, item=WorkItem.objects.filter(case=case).last(), outcome="approve")
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2023"})
    case = services.submit(actor=world.applicant, case=case)
    again = _open_item(case)
    assert (case.status, again.step_key, case.answers["year"]) == ("in_approval", "academic", 2023)


def test_a_rejection_ends_the_case_and_tells_the_applicant_why(world, certificate_service):
    case = _submitted(world, certificate_service)
    case = services.decide(actor=world.college_admin, item=_open_item(case), outcome="reject", comment="非本院学生")
    assert case.status == "rejected"
    assert Message.objects.get(recipient=world.applicant, event="case.rejected", channel="inbox").body.endswith(
        "未通过审批：非本院学生")


def test_a_visible_required_field_must_be_answered_and_a_hidden_one_is_dropped(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "reported": "是"})
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    with pytest.raises(ApplicationError) as caught:
        services.submit(actor=world.applicant, case=case)
    assert (caught.value.field, caught.value.message) == ("newspaper", "请填写登报报纸名称")
    services.save_draft(actor=world.applicant, case=case, answers={"reported": "否", "newspaper": "某报"})
    case = services.submit(actor=world.applicant, case=case)
    assert "newspaper" not in case.answers


def test_a_missing_core_material_stops_submission(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    with pytest.raises(ApplicationError) as caught:
        services.submit(actor=world.applicant, case=case)
    assert (caught.value.code, caught.value.message) == ("material_missing", "请上传遗失声明")
    assert Case.objects.get(pk=case.pk).status == "draft"


@pytest.mark.parametrize(("status", "act"), [
    ("completed", "withdraw"), ("rejected", "withdraw"), ("withdrawn", "submit"), ("in_approval", "submit"),
])
def test_illegal_transitions_are_refused_and_change_nothing(world, certificate_service, status, act):
    case = _submitted(world, certificate_service)
    Case.objects.filter(pk=case.pk).update(status=status)
    with pytest.raises(StateConflict) as caught:
        getattr(services, act)(actor=world.applicant, case=case)
    assert caught.value.status == 409
    assert Case.objects.get(pk=case.pk).status == status


def test_the_applicant_withdraws_before_completion_and_open_work_is_cancelled(world, certificate_service):
    case = _submitted(world, certificate_service)
    services.withdraw(actor=world.applicant, case=case, reason="不需要了")
    assert Case.objects.get(pk=case.pk).status == "withdrawn"
    assert not WorkItem.objects.filter(case=case, state="open").exists()


def test_a_skipped_step_creates_no_work(world, certificate_service, academic):
    from tongban.catalog.models import Step
    from tongban.catalog.services import publish

    Step.objects.filter(item=certificate_service, key="college").update(skip_if="year >= 2020")
    publish(actor=None, item=certificate_service)
    certificate_service.refresh_from_db()
    case = _submitted(world, certificate_service)
    assert _open_item(case).step_key == "academic"
    assert WorkItem.objects.get(case=case, step_key="college").state == "skipped"


def test_a_case_keeps_the_version_it_was_submitted_under(world, certificate_service):
    from tongban.catalog.models import FormField
    from tongban.catalog.services import publish

    case = _submitted(world, certificate_service)
    FormField.objects.filter(item=certificate_service, key="year").update(label="改过的标签")
    publish(actor=None, item=certificate_service)
    case.refresh_from_db()
    assert case.version.number == 1
    assert [f["label"] for f in case.config["fields"] if f["key"] == "year"] == ["毕业年份"]


def test_a_claimed_items_holders_include_the_assignees_delegate_for_the_delegated_days(world, certificate_service):
    from django.utils import timezone

    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user, grant_role

    colleague = create_user(actor=None, username="colleague", password="x-long-password")
    grant_role(actor=None, user=colleague, role=Role.COLLEGE_ADMIN, org_unit=world.econ)
    today = timezone.localdate()
    case = _submitted(world, certificate_service)
    item = services.claim(actor=world.college_admin, item=_open_item(case))
    assert {u.username for u in workflow.holders(item)} == {"college_admin"}
    services.delegate_work(actor=world.college_admin, to=colleague, start=today, end=today)
    assert {u.username for u in workflow.holders(item)} == {"college_admin", "colleague"}
    services.decide(actor=colleague, item=item, outcome="approve")
    assert WorkItem.objects.get(pk=item.pk).decided_by == colleague


def test_a_draft_change_is_on_the_trail_by_field_and_a_save_changing_nothing_writes_nothing(world,
                                                                                           certificate_service):
    from tongban.conftest import make_id

    def saves():
        return list(AuditEntry.objects.filter(action="case.draft_save", object_id=str(case.pk))
                    .order_by("seq").values_list("details", "role", "summary"))

    other_id = make_id(region="310101")
    case = services.start_application(actor=world.applicant, item=certificate_service)
    masked_id = case.answers["id_number"]
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    assert [s[:2] for s in saves()] == [({"fields": ["reported", "year"]}, "applicant")]
    updated = Case.objects.get(pk=case.pk).updated_at
    # the same answers again, the ID number sent back masked as the page shows it
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "id_number": masked_id})
    assert len(saves()) == 1 and Case.objects.get(pk=case.pk).updated_at == updated
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2023"})
    assert [s[0] for s in saves()] == [{"fields": ["reported", "year"]}, {"fields": ["year"]}]
    # another ID number is refused (it is the record's: test_identity_from_the_person),
    # and the refusal's entry names the field, not the number
    with pytest.raises(ApplicationError):
        services.save_draft(actor=world.applicant, case=case, answers={"id_number": other_id})
    assert len(saves()) == 2
    assert other_id not in str(list(AuditEntry.objects.values_list("details", "summary")))
