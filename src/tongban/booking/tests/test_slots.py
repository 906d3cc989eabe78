"""Slots are cut from the weekly plan, breaks left out; the national calendar closes
holidays and opens make-up Saturdays; extra sessions open weekends but not holidays
or a unit's closure; generating again adds nothing."""

import datetime as dt

from tongban.booking import plans
from tongban.booking.models import Booking, ExtraSession, Slot
from tongban.booking.tests.conftest import MONDAY, at, slot
from tongban.catalog.models import Closure

NATIONAL_DAY = [dt.date(2026, 10, d) for d in range(1, 8)]
MAKE_UP_SATURDAY = dt.date(2026, 10, 10)


def starts(resource, day):
    return [s.start.astimezone(at(day, 0).tzinfo).strftime("%H:%M")
            for s in Slot.objects.filter(resource=resource, date=day, is_open=True).order_by("start")]


def test_a_working_day_has_the_plans_slots_and_not_the_lunch_break(desk):
    assert starts(desk.resource, MONDAY) == ["09:00", "09:30", "10:00", "10:30", "11:00",
                                             "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
    s = slot(desk.resource, MONDAY, 9)
    assert (s.capacity, s.booked, s.end) == (2, 0, at(MONDAY, 9, 30))


def test_national_day_is_closed_and_the_make_up_saturday_works(desk):
    for day in NATIONAL_DAY:
        assert starts(desk.resource, day) == [], day
    assert len(starts(desk.resource, dt.date(2026, 10, 8))) == 11
    # a make-up Saturday is worked like the plan's first weekday (the plan has no Saturday)
    assert len(starts(desk.resource, MAKE_UP_SATURDAY)) == 11
    assert starts(desk.resource, dt.date(2026, 10, 11)) == []  # an ordinary Sunday
    assert starts(desk.resource, dt.date(2026, 10, 3)) == []


def test_an_extra_saturday_morning_opens_but_not_on_a_holiday(desk):
    saturday = dt.date(2026, 10, 17)
    ExtraSession.objects.create(resource=desk.resource, date=saturday, start=dt.time(9), end=dt.time(10))
    ExtraSession.objects.create(resource=desk.resource, date=dt.date(2026, 10, 3), start=dt.time(9), end=dt.time(10))
    ExtraSession.objects.create(resource=desk.resource, date=dt.date(2026, 10, 9), start=dt.time(18),
                                end=dt.time(19), note="夜间加开")
    plans.ensure_slots(resource=desk.resource, first=MONDAY, last=dt.date(2026, 10, 18))
    assert starts(desk.resource, saturday) == ["09:00", "09:30"]
    assert starts(desk.resource, dt.date(2026, 10, 3)) == []
    assert starts(desk.resource, dt.date(2026, 10, 9))[-2:] == ["18:00", "18:30"]


def test_a_units_closure_closes_even_an_extra_session(desk, world):
    Closure.objects.create(org_unit=world.east, start=dt.date(2026, 10, 16), end=dt.date(2026, 10, 17),
                           reason="分局搬迁")
    ExtraSession.objects.create(resource=desk.resource, date=dt.date(2026, 10, 17), start=dt.time(9), end=dt.time(10))
    plans.ensure_slots(resource=desk.resource, first=MONDAY, last=dt.date(2026, 10, 18))
    assert starts(desk.resource, dt.date(2026, 10, 16)) == []
    assert starts(desk.resource, dt.date(2026, 10, 17)) == []
    assert len(starts(desk.resource, dt.date(2026, 10, 15))) == 11


def test_generating_again_adds_nothing(desk):
    before = Slot.objects.count()
    assert plans.ensure_slots(resource=desk.resource, first=MONDAY, last=MONDAY + dt.timedelta(days=20)) == 0
    assert Slot.objects.count() == before


def test_a_plan_change_closes_dropped_slots_but_keeps_their_bookings(desk, world):
    from tongban.booking.services import book

    taken = slot(desk.resource, dt.date(2026, 9, 29), 16, 30)
    booking = book(actor=world.applicant, slot=taken, service=desk.id_card)
    desk.resource.sessions.filter(start=dt.time(14)).update(end=dt.time(16))
    desk.resource.capacity = 3
    desk.resource.save()
    plans.ensure_slots(resource=desk.resource, first=MONDAY, last=MONDAY + dt.timedelta(days=20))
    taken.refresh_from_db()
    assert not taken.is_open and taken.booked == 1
    assert Booking.objects.get(pk=booking.pk).slot_id == taken.pk
    assert slot(desk.resource, MONDAY, 9).capacity == 3
    desk.resource.sessions.filter(start=dt.time(14)).update(end=dt.time(17))
    plans.ensure_slots(resource=desk.resource, first=MONDAY, last=MONDAY + dt.timedelta(days=20))
    taken.refresh_from_db()
    assert taken.is_open
