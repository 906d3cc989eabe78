"""Cancelling and rescheduling: allowed until the cut-off, the place given back; a
reschedule takes the new place and frees the old one together, or changes nothing."""

import datetime as dt

import pytest

from tongban.audit.models import AuditEntry
from tongban.booking.models import Rule, State
from tongban.booking.services import book, cancel, reschedule
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.models import Message

TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)


def test_cancel_before_the_cut_off_gives_the_place_back(desk, world, now):
    Rule.objects.create(resource=desk.resource, cancel_cutoff_hours=4)
    s = slot(desk.resource, TUESDAY, 14)
    b = book(actor=world.applicant, slot=s, service=desk.id_card)
    now(TUESDAY, 10, 0)  # exactly the cut-off
    cancel(actor=world.applicant, booking=b)
    s.refresh_from_db()
    b.refresh_from_db()
    assert (s.booked, b.state) == (0, State.CANCELLED)
    assert Message.objects.filter(event="booking.cancelled", recipient=world.applicant).exists()
    assert AuditEntry.objects.get(action="booking.cancel").details["by"] == "applicant"
    with pytest.raises(StateConflict):  # not twice
        cancel(actor=world.applicant, booking=b)


def test_cancel_after_the_cut_off_is_refused(desk, world, now):
    Rule.objects.create(resource=desk.resource, cancel_cutoff_hours=4)
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 14), service=desk.id_card)
    now(TUESDAY, 10, 1)
    with pytest.raises(StateConflict) as late:
        cancel(actor=world.applicant, booking=b)
    assert "截止" in late.value.message and "4 小时" in late.value.message
    assert slot(desk.resource, TUESDAY, 14).booked == 1


def test_the_window_cancels_anytime_with_a_reason_but_others_cannot(desk, world, now, applicant_like):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 14), service=desk.id_card)
    with pytest.raises(NotAllowed):
        cancel(actor=applicant_like(), booking=b, reason="x")
    with pytest.raises(NotAllowed):
        cancel(actor=world.auxiliary, booking=b, reason="x")
    now(TUESDAY, 13, 50)
    with pytest.raises(ApplicationError) as no_reason:
        cancel(actor=world.clerk, booking=b)
    assert no_reason.value.field == "reason"
    cancel(actor=world.clerk, booking=b, reason="系统故障暂停办理")
    assert "系统故障暂停办理" in Message.objects.get(event="booking.cancelled", channel="inbox").body


def test_reschedule_moves_the_place(desk, world):
    old, new = slot(desk.resource, TUESDAY, 9), slot(desk.resource, WEDNESDAY, 15)
    b = book(actor=world.applicant, slot=old, service=desk.id_card)
    reschedule(actor=world.applicant, booking=b, slot=new)
    old.refresh_from_db()
    new.refresh_from_db()
    b.refresh_from_db()
    assert (old.booked, new.booked, b.slot_id, b.date) == (0, 1, new.pk, WEDNESDAY)
    body = Message.objects.get(event="booking.rescheduled", channel="inbox").body
    assert "09:00" in body and "15:00" in body
    # and back again (the other id order)
    reschedule(actor=world.applicant, booking=b, slot=old)
    assert (slot(desk.resource, TUESDAY, 9).booked, slot(desk.resource, WEDNESDAY, 15).booked) == (1, 0)


def test_reschedule_to_a_full_slot_changes_nothing(desk, world, applicant_like):
    old, full = slot(desk.resource, WEDNESDAY, 15), slot(desk.resource, TUESDAY, 9)
    b = book(actor=world.applicant, slot=old, service=desk.id_card)
    for name in ("赵同学", "钱同学"):
        book(actor=applicant_like(name), slot=full, service=desk.id_card)
    with pytest.raises(StateConflict) as refused:
        reschedule(actor=world.applicant, booking=b, slot=full)
    assert "已约满" in refused.value.message
    old.refresh_from_db()
    full.refresh_from_db()
    b.refresh_from_db()
    assert (old.booked, full.booked, b.slot_id) == (1, 2, old.pk)


def test_reschedule_after_the_cut_off_or_of_someone_elses_booking_is_refused(desk, world, now, applicant_like):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    with pytest.raises(NotAllowed):
        reschedule(actor=applicant_like(), booking=b, slot=slot(desk.resource, TUESDAY, 10))
    now(TUESDAY, 7, 30)  # default cut-off: 2 hours before
    with pytest.raises(StateConflict):
        reschedule(actor=world.applicant, booking=b, slot=slot(desk.resource, TUESDAY, 15))
    assert slot(desk.resource, TUESDAY, 15).booked == 0


@pytest.fixture
def second_window(desk, world):
    """Another station's window that takes the ID-card service (and not the proof)."""
    from tongban.booking import plans
    from tongban.booking.models import Resource, Session

    window = Resource.objects.create(name="户籍窗口 2", org_unit=world.east_1, place="东门派出所二楼",
                                     slot_minutes=30, capacity=1)
    window.services.set([desk.id_card])
    for weekday in range(5):
        Session.objects.create(resource=window, weekday=weekday, start=dt.time(9), end=dt.time(11, 30))
    plans.ensure_slots(resource=window, first=MONDAY, last=MONDAY + dt.timedelta(days=20))
    return window


def test_reschedule_to_another_window_that_takes_the_service_moves_the_place_there(desk, world, second_window):
    old, new = slot(desk.resource, TUESDAY, 14), slot(second_window, WEDNESDAY, 9)
    b = book(actor=world.applicant, slot=old, service=desk.id_card)
    reschedule(actor=world.applicant, booking=b, slot=new)
    old.refresh_from_db()
    new.refresh_from_db()
    b.refresh_from_db()
    assert (old.booked, new.booked, b.slot_id, b.resource_id, b.date) == (0, 1, new.pk, second_window.pk, WEDNESDAY)
    body = Message.objects.get(event="booking.rescheduled", channel="inbox").body
    assert "户籍窗口 2" in body and "户籍窗口 1" in body
    entry = AuditEntry.objects.get(action="booking.reschedule")
    assert entry.details["to_resource"] == second_window.pk and "户籍窗口 1 → 户籍窗口 2" in entry.summary


def test_reschedule_to_a_window_that_does_not_take_the_service_changes_nothing(desk, world, second_window):
    old = slot(desk.resource, TUESDAY, 14)
    b = book(actor=world.applicant, slot=old, service=desk.proof)
    with pytest.raises(ApplicationError, match="不办理"):
        reschedule(actor=world.applicant, booking=b, slot=slot(second_window, WEDNESDAY, 9))
    b.refresh_from_db()
    assert (b.slot_id, b.resource_id, slot(second_window, WEDNESDAY, 9).booked) == (old.pk, desk.resource.pk, 0)


def test_reschedule_to_another_window_obeys_that_windows_rule(desk, world, second_window):
    # Wednesday is open for booking under the first window's rule (3 days ahead), not
    # under the second's (1 day ahead)
    Rule.objects.create(resource=second_window, open_days_ahead=1)
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 14), service=desk.id_card)
    book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.proof)  # the first's allows it
    with pytest.raises(StateConflict):
        reschedule(actor=world.applicant, booking=b, slot=slot(second_window, WEDNESDAY, 9))
    assert (slot(desk.resource, TUESDAY, 14).booked, slot(second_window, WEDNESDAY, 9).booked) == (1, 0)
