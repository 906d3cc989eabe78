"""A restriction is told to a person who has no account yet by a text to the phone on
their record (the kind is mandatory: it goes by text whatever they chose), with the
imposition, one by one or a sweep's many."""

import pytest

from tongban.notify.models import Message
from tongban.restrictions.models import Blocks, Kind
from tongban.restrictions.services import Imposition, impose, impose_many, lift

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def test_a_restriction_on_a_person_without_an_account_is_texted_to_them(world):
    person = world.person(name="未绑定", phone=PHONE)
    restriction = impose(actor=None, person=person, kind=Kind.MANUAL, reason="多次爽约")
    assert list(Message.objects.values_list("person", "recipient", "channel", "event")) == [
        (person.pk, None, "sms", "restriction.imposed")]
    lift(actor=world.sysadmin, restriction=restriction, reason="已说明情况")
    assert Message.objects.filter(person=person, event="restriction.lifted").count() == 1


def test_a_sweeps_restrictions_reach_those_without_accounts_too(world):
    person = world.person(name="未绑定", phone=PHONE)
    made = impose_many([Imposition(person=person, kind=Kind.OVERDUE_LOAN, blocks=Blocks.BOTH, source="loan:1",
                                   reason="逾期未还")])
    assert len(made) == 1
    assert Message.objects.get(person=person).params == {"name": "未绑定", "reason": "逾期未还"}


def test_a_person_with_neither_account_nor_phone_is_restricted_without_a_message(world):
    impose(actor=None, person=world.person(name="无手机"), kind=Kind.MANUAL, reason="多次爽约")
    assert not Message.objects.exists()
