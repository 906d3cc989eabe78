"""Booking: a day opens N days ahead at the configured time, not sooner than the
minimum notice; one active booking per person and service; a weekly limit; a full
slot answers "已约满"; a restricted person is refused with the reason; the confirmation
lists the materials, in-app and on the person's channels, and is audited."""

import datetime as dt

import pytest

from tongban.audit.models import AuditEntry
from tongban.booking.models import Booking, Rule, State
from tongban.booking.services import book, cancel
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.lib.errors import ApplicationError, StateConflict
from tongban.notify.models import Message
from tongban.restrictions import services as restrictions
from tongban.restrictions.models import Blocks, Kind

TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + dt.timedelta(days=n) for n in (1, 2, 3))


def test_a_booking_takes_a_place_confirms_with_the_materials_and_is_audited(desk, world):
    world.applicant.wechat_openid = "o-applicant"
    world.applicant.save(update_fields=["wechat_openid"])
    s = slot(desk.resource, TUESDAY, 9)
    b = book(actor=world.applicant, slot=s, service=desk.id_card)
    s.refresh_from_db()
    assert (s.booked, b.state, b.person, b.date) == (1, State.BOOKED, world.applicant_person, TUESDAY)
    inbox = Message.objects.get(event="booking.confirmed", recipient=world.applicant, channel="inbox")
    assert "居民身份证原件" in inbox.body and "近期免冠照片（如有）" in inbox.body and "09:00" in inbox.body
    wechat = Message.objects.get(event="booking.confirmed", recipient=world.applicant, channel="wechat")
    assert "居民身份证原件" in wechat.body
    entry = AuditEntry.objects.get(action="booking.book", object_id=str(b.pk))
    assert entry.details["slot"] == s.pk


def test_the_furthest_day_opens_at_the_configured_time(desk, world, now):
    Rule.objects.create(resource=desk.resource, open_days_ahead=3, open_time=dt.time(8, 0))
    monday = dt.date(2026, 10, 12)
    now(monday, 7, 59)
    with pytest.raises(StateConflict) as early:
        book(actor=world.applicant, slot=slot(desk.resource, monday + dt.timedelta(days=3), 9), service=desk.id_card)
    assert "10月12日 08:00 开放预约" in early.value.message
    book(actor=world.applicant, slot=slot(desk.resource, monday + dt.timedelta(days=2), 9),
         service=desk.id_card)  # the day before it opened yesterday
    now(monday, 8, 0)
    book(actor=world.applicant, slot=slot(desk.resource, monday + dt.timedelta(days=3), 9), service=desk.proof)
    with pytest.raises(StateConflict):  # four days ahead is not open yet
        book(actor=world.applicant, slot=slot(desk.resource, monday + dt.timedelta(days=4), 9),
             service=desk.proof)


def test_a_rule_for_one_service_overrides_the_resources(desk, world):
    Rule.objects.create(resource=desk.resource, open_days_ahead=1)
    Rule.objects.create(resource=desk.resource, service=desk.proof, open_days_ahead=3)
    with pytest.raises(StateConflict):
        book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.id_card)
    book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.proof)


def test_too_short_notice_is_refused(desk, world, now):
    Rule.objects.create(resource=desk.resource, min_notice_hours=2)
    now(MONDAY, 9, 10)
    with pytest.raises(StateConflict) as soon:
        book(actor=world.applicant, slot=slot(desk.resource, MONDAY, 11), service=desk.id_card)
    assert "提前 2 小时" in soon.value.message
    with pytest.raises(StateConflict):  # begun already
        book(actor=world.applicant, slot=slot(desk.resource, MONDAY, 9), service=desk.id_card)
    book(actor=world.applicant, slot=slot(desk.resource, MONDAY, 14), service=desk.id_card)


def test_one_active_booking_per_service(desk, world):
    first = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    with pytest.raises(StateConflict) as twice:
        book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.id_card)
    assert twice.value.code == "already_booked" and "请先取消或改约" in twice.value.message
    book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.proof)  # another service
    cancel(actor=world.applicant, booking=first)
    book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 10), service=desk.id_card)
    assert Booking.objects.filter(person=world.applicant_person, state=State.BOOKED).count() == 2


def test_the_database_refuses_a_second_active_booking_for_a_service(desk, world):
    from django.db import IntegrityError, transaction

    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(resource=desk.resource, slot=b.slot, date=b.date, person=b.person,
                               service=b.service)


def test_the_weekly_limit(desk, world):
    Rule.objects.create(resource=desk.resource, weekly_limit=1)
    book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    with pytest.raises(StateConflict) as limit:
        book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.proof)
    assert limit.value.code == "weekly_limit" and "每人每周最多预约 1 次" in limit.value.message


def test_a_full_slot_answers_yi_yue_man_and_never_holds_more(desk, world, applicant_like):
    s = slot(desk.resource, TUESDAY, 9)
    book(actor=world.applicant, slot=s, service=desk.id_card)
    book(actor=applicant_like("赵同学"), slot=s, service=desk.id_card)
    with pytest.raises(StateConflict) as full:
        book(actor=applicant_like("钱同学"), slot=s, service=desk.id_card)
    assert full.value.status == 409 and "已约满" in full.value.message
    s.refresh_from_db()
    assert s.booked == s.capacity == 2
    assert Booking.objects.filter(slot=s).count() == 2


def test_the_database_refuses_a_slot_over_capacity(desk):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    from tongban.booking.models import Slot

    s = slot(desk.resource, TUESDAY, 9)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=s.pk).update(booked=F("capacity") + 1)


def test_a_restricted_person_is_refused_with_the_reason(desk, world):
    restrictions.impose(actor=None, person=world.applicant_person, kind=Kind.NO_SHOWS, reason="90 天内预约爽约 3 次",
                        blocks=Blocks.BOOKING)
    with pytest.raises(restrictions.Restricted) as refused:
        book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    assert "爽约" in refused.value.message and refused.value.status == 403
    assert not Booking.objects.exists()
    assert slot(desk.resource, TUESDAY, 9).booked == 0


def test_an_unbound_account_or_a_service_not_served_is_refused(desk, world):
    with pytest.raises(StateConflict) as unbound:
        book(actor=world.outsider, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    assert "绑定" in unbound.value.message
    other = type(desk.id_card).objects.create(code="other", name="其他事项", org_unit=world.east_1)
    with pytest.raises(ApplicationError) as not_here:
        book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=other)
    assert not_here.value.field == "service"


def test_a_booking_can_be_linked_to_the_persons_case(desk, world):
    from tongban.cases import services as cases

    case = cases.start_application(actor=world.applicant, item=desk.id_card)
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card, case=case)
    assert b.case == case


def test_a_rule_changed_by_an_admin_binds_at_once_here_and_within_half_a_minute_elsewhere(desk, world,
                                                                                        monkeypatch):
    """Rules are kept per process (lib/configcache.py). Saved here, the next booking
    obeys at once; changed by another process (no signal reaches this one: a queryset
    update stands in for it), it obeys once the half minute has passed."""
    import time

    rule = Rule.objects.create(resource=desk.resource, weekly_limit=0)
    book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    rule.weekly_limit = 1
    rule.save()
    with pytest.raises(StateConflict, match="每人每周最多预约 1 次"):
        book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.proof)

    Rule.objects.filter(pk=rule.pk).update(weekly_limit=0)  # as another worker's save
    with pytest.raises(StateConflict, match="每人每周最多预约 1 次"):
        book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.proof)
    later = time.monotonic() + 31
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert book(actor=world.applicant, slot=slot(desk.resource, WEDNESDAY, 9), service=desk.proof).pk
