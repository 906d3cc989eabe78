"""In-school services check the household status when submitted; verification can be
delegated to the colleges by configuring the move-in step in the back office; staff
go through the same flows with their staff number."""

import pytest

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.cases.models import WorkItem
from tongban.cases.workflow import workable_by
from tongban.catalog.models import Step, UnitRule
from tongban.catalog.services import publish
from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.tests.conftest import CERTIFICATE, make_service
from tongban.lib.errors import StateConflict
from tongban.people.models import Category
from tongban.people.services import link_account


@pytest.fixture
def card_borrow(world, household):
    return make_service("card-borrow", "借用集体户口卡", "JK", "hukou.card_loan", world.security,
                    [("purpose", "借用用途", "text")])


@pytest.fixture
def residence(world, household):
    return make_service("temporary-residence", "居住证明（学生）", "JZ", "hukou.not_here_only", world.security,
                    [("dorm", "宿舍地址", "address")])


def test_borrowing_the_card_needs_the_household_here(world, household, card_borrow, apply, approve):
    with pytest.raises(StateConflict) as refused:
        apply(card_borrow, purpose="办理护照")
    assert "仅限户口在学校集体户" in refused.value.message
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    case = apply(card_borrow, purpose="办理护照")
    approve(case)
    assert HouseholdRecord.objects.get(person=world.applicant_person).status == Status.IN_SCHOOL


@pytest.mark.parametrize("status", [Status.STORED, Status.WAIVED, Status.SUBMITTED, Status.MOVED_OUT])
def test_borrowing_the_card_is_for_those_in_school_not_stored_nor_gone(world, household, card_borrow, status):
    from tongban.cases import services as cases
    from tongban.hukou import services

    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    services.correct(actor=world.officer, rec=rec, status=status, reason="测试")
    with pytest.raises(StateConflict) as refused:
        cases.start_application(actor=world.applicant, item=card_borrow)
    assert refused.value.code == "household_not_in_school" and str(Status(status).label) in refused.value.message


def test_borrowing_the_card_again_while_it_is_out_is_refused_at_submission(world, household, card_borrow, apply,
                                                                          approve):
    from django.utils import timezone

    from tongban.loans.models import Loan, Policy

    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    Loan.objects.create(policy=Policy.objects.create(org_unit=world.security), person=world.applicant_person,
                        item="集体户口卡", purpose="办理护照", lent_at=timezone.now(), lent_by=world.officer,
                        due_date=timezone.localdate())
    with pytest.raises(StateConflict) as refused:
        apply(card_borrow, purpose="办理驾照")
    assert refused.value.code == "card_out"


def test_residence_proof_is_for_those_whose_household_is_elsewhere(world, household, residence, apply):
    from tongban.hukou import services

    services.sign_waiver(actor=world.applicant, version=1, agree=True)
    assert apply(residence, dorm="3 号楼 201").status == "in_approval"


def test_the_office_delegates_verification_to_the_colleges_by_configuration(world, household, apply):
    # the back office switches the move-in step to "the applicant's college" and publishes
    Step.objects.filter(item=household.move_in).update(role=Role.COLLEGE_ADMIN, unit_rule=UnitRule.APPLICANT_UNIT)
    publish(actor=None, item=household.move_in)
    household.move_in.refresh_from_db()
    law_admin = create_user(actor=None, username="law_admin", password="x-long-password", display_name="法学院")
    grant_role(actor=None, user=law_admin, role=Role.COLLEGE_ADMIN, org_unit=world.law)

    case = apply(household.move_in, name="李同学", **CERTIFICATE)
    item = WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)
    assert item.org_unit == world.econ
    assert not workable_by(law_admin).filter(pk=item.pk).exists()
    assert not workable_by(world.officer).filter(pk=item.pk).exists()
    from tongban.cases import services as cases

    cases.decide(actor=world.college_admin, item=item, outcome=WorkItem.Outcome.APPROVE, comment="核对无误")
    assert HouseholdRecord.objects.get(person=world.applicant_person).status == Status.IN_SCHOOL


def test_staff_move_in_with_their_staff_number(world, household, apply, approve):
    teacher = world.person(name="王老师", category=Category.STAFF, student_number="T0001")
    user = create_user(actor=None, username="teacher", password="x-long-password", display_name="王老师")
    grant_role(actor=None, user=user, role=Role.APPLICANT, org_unit=world.econ)
    link_account(actor=None, person=teacher, user=user)
    approve(apply(household.move_in, user=user, name="王老师", **CERTIFICATE))
    assert HouseholdRecord.objects.get(person=teacher).status == Status.IN_SCHOOL
