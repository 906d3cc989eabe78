"""Rules that link the household's acts: storage, like moving out, waits for a card lent out
to come back; and no officer corrects their own household record."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases import services as cases
from tongban.hukou import services
from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.tests.conftest import CERTIFICATE
from tongban.lib.errors import NotAllowed, StateConflict
from tongban.people.models import Category
from tongban.people.services import link_account

pytestmark = pytest.mark.django_db


def _lend(world):
    from tongban.loans.models import Loan, Policy

    policy = Policy.objects.create(org_unit=world.security)
    return Loan.objects.create(policy=policy, person=world.applicant_person, item="集体户口卡（本人页）",
                               purpose="办理护照", lent_at=timezone.now(), lent_by=world.officer,
                               due_date=timezone.localdate() + dt.timedelta(days=8))


def test_storage_waits_for_the_household_card_to_come_back(world, household, apply, approve, graduate, login):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    graduate()
    loan = _lend(world)
    with pytest.raises(StateConflict) as refused:
        cases.start_application(actor=world.applicant, item=household.store)
    assert refused.value.code == "card_out" and "归还后才能申请毕业暂存" in refused.value.message
    pressed = login(world.applicant).post(f"/services/{household.store.code}/apply/", follow=True)
    assert "归还后才能申请毕业暂存" in pressed.content.decode()

    type(loan).objects.filter(pk=loan.pk).update(returned_at=timezone.now(), received_by=world.officer)
    case = apply(household.store, months="3")
    _lend(world)  # lent again while the storage is in approval: its completion waits too
    with pytest.raises(StateConflict) as refused:
        approve(case)
    assert refused.value.code == "card_out"
    assert HouseholdRecord.objects.get(person=world.applicant_person).status == Status.IN_SCHOOL


def test_an_officer_does_not_correct_their_own_household_record(world):
    own = world.person(name="户籍管理员本人", category=Category.STAFF, unit=world.security)
    link_account(actor=None, person=own, user=world.officer)
    rec = HouseholdRecord.objects.get(person=own)
    with pytest.raises(NotAllowed) as refused:
        services.correct(actor=world.officer, rec=rec, status=Status.IN_SCHOOL, reason="自己改")
    assert (refused.value.code, refused.value.field) == ("own_record", "status")
    assert HouseholdRecord.objects.get(person=own).status == rec.status
    other = HouseholdRecord.objects.get(person=world.applicant_person)
    services.correct(actor=world.officer, rec=other, status=Status.WAIVED, reason="线下已选择不落户")
    assert HouseholdRecord.objects.get(person=world.applicant_person).status == Status.WAIVED
