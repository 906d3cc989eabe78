"""At the window: check-in issues the day's next queue number (walk-ins share the
queue), served and no-show close a booking, the third no-show within 90 days restricts
the person from booking for 30 days, exactly once; only window staff of the unit."""

import datetime as dt

import pytest

from tongban.booking.models import Booking, State
from tongban.booking.services import book, check_in, mark_no_show, mark_served, send_reminders, walk_in
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.lib.errors import NotAllowed, StateConflict
from tongban.notify.models import Message
from tongban.restrictions.models import Blocks, Kind, Restriction

TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)


def test_check_in_issues_increasing_queue_numbers_shared_with_walk_ins(desk, world, now, applicant_like):
    first = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    other = applicant_like("赵同学")
    second = book(actor=other, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    now(TUESDAY, 8, 50)
    assert check_in(actor=world.clerk, booking=second).queue_number == 1
    assert check_in(actor=world.clerk, booking=first).queue_number == 2
    walker = world.person(name="孙居民", student_number="W001")
    w = walk_in(actor=world.clerk, resource=desk.resource, person=walker, service=desk.proof)
    assert (w.queue_number, w.state, w.walk_in, w.slot) == (3, State.CHECKED_IN, True, None)
    assert "排队号 2" in Message.objects.get(event="booking.checked_in", recipient=world.applicant).subject
    with pytest.raises(StateConflict):
        check_in(actor=world.clerk, booking=first)
    served = mark_served(actor=world.clerk, booking=first)
    assert served.state == State.SERVED and served.finished_at is not None


def test_check_in_only_on_the_day(desk, world):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    with pytest.raises(StateConflict) as early:
        check_in(actor=world.clerk, booking=b)
    assert "当天" in early.value.message


def test_served_needs_a_check_in_and_no_show_needs_the_slot_begun(desk, world, now):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    with pytest.raises(StateConflict):
        mark_served(actor=world.clerk, booking=b)
    now(TUESDAY, 8, 59)
    with pytest.raises(StateConflict):
        mark_no_show(actor=world.clerk, booking=b)


def test_only_window_staff_of_the_unit_work_its_bookings(desk, world, now):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    now(TUESDAY, 9)
    for outsider in (world.auxiliary, world.officer, world.college_admin, world.applicant):
        with pytest.raises(NotAllowed):
            check_in(actor=outsider, booking=b)
    with pytest.raises(NotAllowed):
        walk_in(actor=world.auxiliary, resource=desk.resource, person=world.applicant_person, service=desk.proof)


def _no_show(desk, world, now, *, booked_on, day, hour=9, service=None):
    now(booked_on, 8)
    b = book(actor=world.applicant, slot=slot(desk.resource, day, hour), service=service or desk.id_card)
    return b


def test_the_third_no_show_restricts_booking_for_thirty_days_exactly_once(desk, world, now):
    first = _no_show(desk, world, now, booked_on=MONDAY, day=TUESDAY)
    now(TUESDAY, 10)
    mark_no_show(actor=world.clerk, booking=first)
    second = _no_show(desk, world, now, booked_on=TUESDAY, day=WEDNESDAY)
    now(WEDNESDAY, 10)
    mark_no_show(actor=world.clerk, booking=second)
    assert not Restriction.objects.exists()
    third_day = dt.date(2026, 10, 8)
    third = _no_show(desk, world, now, booked_on=dt.date(2026, 10, 6), day=third_day)
    later = book(actor=world.applicant, slot=slot(desk.resource, third_day, 14), service=desk.proof)
    now(third_day, 15)
    mark_no_show(actor=world.clerk, booking=third)
    r = Restriction.objects.get()
    assert (r.kind, r.blocks) == (Kind.NO_SHOWS, Blocks.BOOKING)
    assert r.source == f"noshow:{world.applicant_person.pk}:2026-10-08"
    assert r.until == third_day + dt.timedelta(days=30)
    assert "3 次" in r.reason
    with pytest.raises(StateConflict):  # the same no-show again
        mark_no_show(actor=world.clerk, booking=third)
    mark_no_show(actor=world.clerk, booking=later)  # a fourth, the same day: counted from the restriction on
    assert Restriction.objects.count() == 1
    assert Message.objects.filter(event="restriction.imposed", recipient=world.applicant,
                                  channel="inbox").count() == 1
    # in force for the thirty days (booking while restricted is refused: see test_booking)
    assert Restriction.objects.current(on=third_day + dt.timedelta(days=30)).get() == r
    assert not Restriction.objects.current(on=third_day + dt.timedelta(days=31)).exists()
    # a restricted person can still be served at the window
    walk_in(actor=world.clerk, resource=desk.resource, person=world.applicant_person, service=desk.id_card)


def test_the_no_show_policy_is_the_resources(desk, world, now):
    desk.resource.no_show_limit = 1
    desk.resource.no_show_restrict_days = 7
    desk.resource.save()
    b = _no_show(desk, world, now, booked_on=MONDAY, day=TUESDAY)
    now(TUESDAY, 10)
    mark_no_show(actor=world.clerk, booking=b)
    assert Restriction.objects.get().until == TUESDAY + dt.timedelta(days=7)


def test_a_walk_in_with_an_active_booking_for_the_service_is_told_to_check_in(desk, world, now):
    book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    now(TUESDAY, 9)
    with pytest.raises(StateConflict) as refused:
        walk_in(actor=world.clerk, resource=desk.resource, person=world.applicant_person, service=desk.id_card)
    assert "签到" in refused.value.message


def test_the_reminder_goes_the_day_before_once(desk, world, now, applicant_like):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    book(actor=applicant_like(), slot=slot(desk.resource, WEDNESDAY, 9), service=desk.id_card)
    send_reminders()
    send_reminders()
    reminders = Message.objects.filter(event="booking.reminder", channel="inbox")
    assert [m.recipient for m in reminders] == [world.applicant]
    assert "居民身份证原件" in reminders.get().body
    assert Booking.objects.get(pk=b.pk).state == State.BOOKED


def test_after_the_day_bookings_never_checked_in_become_no_shows_once(desk, world, now, applicant_like):
    came = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    other = applicant_like("赵同学")
    missed = book(actor=other, slot=slot(desk.resource, TUESDAY, 10), service=desk.id_card)
    now(TUESDAY, 8, 55)
    check_in(actor=world.clerk, booking=came)
    from tongban.booking.services import sweep_no_shows

    now(TUESDAY, 23, 0)
    assert sweep_no_shows() == 0  # the window may still check people in today
    now(WEDNESDAY, 0, 30)
    assert sweep_no_shows() == 1
    assert sweep_no_shows() == 0
    missed.refresh_from_db()
    came.refresh_from_db()
    assert (missed.state, came.state) == (State.NO_SHOW, State.CHECKED_IN)
    from tongban.audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="booking.no_show")
    assert entry.actor_id is None and "系统记录" in entry.summary


def test_a_resource_may_leave_no_shows_to_its_staff(desk, world, now):
    desk.resource.auto_no_show = False
    desk.resource.save()
    book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    from tongban.booking.services import sweep_no_shows

    now(WEDNESDAY, 0, 30)
    assert sweep_no_shows() == 0
    assert Booking.objects.get().state == State.BOOKED
