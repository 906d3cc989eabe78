"""A borrower with no account (a walk-in at the window) is told of the loan and reminded
of its due date by a text to the phone on their record, as an account holder is in
their inbox; the sweep counts only the reminders that reached someone."""

import datetime as dt

import pytest

from tongban.booking.models import Resource
from tongban.loans import services
from tongban.loans.models import Policy
from tongban.loans.tests.test_loans import card_service, lend
from tongban.notify.models import Message

PHONE = "13912345678"


@pytest.fixture
def policy(world):
    """The security office's card loan at its household window (as test_loans has it)."""
    window = Resource.objects.create(name="户籍窗口", org_unit=world.security, place="行政楼 101")
    window.services.set([card_service(world)])
    return Policy.objects.create(org_unit=world.security, service=window.services.get())


@pytest.fixture
def walk_in_borrower(world):
    return world.person(name="未绑定", phone=PHONE)


def test_a_borrower_without_an_account_is_texted_the_loan_and_its_reminders(world, policy, walk_in_borrower):
    loan = lend(world, policy, person=walk_in_borrower)
    assert list(Message.objects.filter(person=walk_in_borrower).values_list("event", "channel")) == [
        ("loan.lent", "sms")]
    counts = services.sweep(today=loan.due_date - dt.timedelta(days=1))
    assert counts["reminded"] == 1
    reminder = Message.objects.get(person=walk_in_borrower, event="loan.due_soon")
    assert (reminder.recipient, reminder.channel, reminder.params["due"]) == (None, "sms", loan.due_date.isoformat())


def test_a_reminder_that_can_reach_no_one_is_not_counted(world, policy):
    loan = lend(world, policy, person=world.person(name="无手机"))
    assert services.sweep(today=loan.due_date - dt.timedelta(days=1))["reminded"] == 0
    assert not Message.objects.filter(event="loan.due_soon").exists()
