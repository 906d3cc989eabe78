"""Booking follows the service's audience, as applying does: a place is booked only for
a service the person is among the audience of (the desk's services are for students
and residents)."""

import datetime as dt

import pytest

from tongban.accounts.services import create_user
from tongban.booking.models import Booking
from tongban.booking.services import book
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.people.models import Category
from tongban.people.services import link_account

TUESDAY = MONDAY + dt.timedelta(days=1)


def test_someone_not_in_the_services_audience_cannot_book_it(desk, world):
    teacher = create_user(actor=None, username="teacher", password="x-long-password-1", display_name="王老师")
    link_account(actor=None, person=world.person(name="王老师", category=Category.STAFF), user=teacher)
    with pytest.raises(NotAllowed) as refused:
        book(actor=teacher, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    assert refused.value.code == "not_in_audience" and "仅面向学生、居民办理" in refused.value.message
    assert not Booking.objects.exists()
    # a student of the audience books the same place
    assert book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card).pk


def test_a_booking_asks_what_applying_asks_so_the_counter_is_not_where_it_is_refused(desk, world):
    """The card-loan service asks that the household be in school; the student is still
    awaiting their choice, so applying is refused — and booking it as well, not later at
    the window."""
    desk.id_card.effect = "hukou.card_loan"
    desk.id_card.save()
    with pytest.raises(ApplicationError) as refused:
        book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    assert refused.value.code == "household_not_in_school"
    assert not Booking.objects.exists()
    assert book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.proof).pk
