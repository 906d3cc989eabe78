"""Each window act on a booking asks for the state it follows from: no check-in of a
cancelled, served or no-show booking; no no-show after a check-in; no serving before
one; no cancelling or moving a booking once checked in; a second tab's repeat of an
act is refused and changes nothing."""

import datetime as dt

import pytest

from tongban.booking import services
from tongban.booking.models import Booking, State
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.lib.errors import StateConflict

TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def booked(desk, world, now):
    b = services.book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    now(TUESDAY, 9, 5)
    return b


def _checked_in(world, b):
    return services.check_in(actor=world.clerk, booking=b)


def _cancelled(world, b):
    return services.cancel(actor=world.clerk, booking=b, reason="窗口故障")


def _served(world, b):
    return services.mark_served(actor=world.clerk, booking=_checked_in(world, b))


def _no_show(world, b):
    return services.mark_no_show(actor=world.clerk, booking=b)


ACTS = {
    "check in": lambda world, b, desk: services.check_in(actor=world.clerk, booking=b),
    "serve": lambda world, b, desk: services.mark_served(actor=world.clerk, booking=b),
    "no-show": lambda world, b, desk: services.mark_no_show(actor=world.clerk, booking=b),
    "cancel": lambda world, b, desk: services.cancel(actor=world.clerk, booking=b, reason="改期"),
    "move": lambda world, b, desk: services.reschedule(actor=world.applicant, booking=b,
                                                       slot=slot(desk.resource, TUESDAY + dt.timedelta(days=1), 9)),
}
REFUSED = [
    ("cancelled", _cancelled, ["check in", "serve", "no-show", "cancel", "move"]),
    ("checked in", _checked_in, ["check in", "no-show", "cancel", "move"]),
    ("served", _served, ["check in", "serve", "no-show", "cancel", "move"]),
    ("no-show", _no_show, ["check in", "serve", "no-show", "cancel", "move"]),
]


@pytest.mark.parametrize("state, arrange, acts", REFUSED, ids=[r[0] for r in REFUSED])
def test_an_act_out_of_order_is_refused_and_changes_nothing(desk, world, booked, state, arrange, acts):
    b = arrange(world, booked)
    before = Booking.objects.values().get(pk=b.pk)
    for act in acts:
        with pytest.raises(StateConflict):
            ACTS[act](world, Booking.objects.get(pk=b.pk), desk)
        assert Booking.objects.values().get(pk=b.pk) == before, act


def test_the_desk_page_says_why_a_repeated_check_in_is_refused(desk, world, booked, login):
    staff = login(world.clerk)
    staff.post(f"/workbench/booking/{booked.pk}/check-in/")
    again = staff.post(f"/workbench/booking/{booked.pk}/check-in/", follow=True)  # a second tab
    assert "已签到，不能签到" in again.content.decode()
    assert Booking.objects.get(pk=booked.pk).state == State.CHECKED_IN


def test_a_person_restricted_after_booking_keeps_the_booking_but_cannot_move_it(desk, world):
    from tongban.restrictions import services as restrictions
    from tongban.restrictions.models import Kind

    b = services.book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 10), service=desk.id_card)
    restrictions.impose(actor=None, person=world.applicant_person, kind=Kind.MANUAL, reason="多次违规")
    with pytest.raises(restrictions.Restricted) as refused:
        services.reschedule(actor=world.applicant, booking=b, slot=slot(desk.resource, TUESDAY, 14))
    assert "多次违规" in refused.value.message
    assert Booking.objects.get(pk=b.pk).slot == slot(desk.resource, TUESDAY, 10)
    assert services.cancel(actor=world.applicant, booking=b).state == State.CANCELLED
