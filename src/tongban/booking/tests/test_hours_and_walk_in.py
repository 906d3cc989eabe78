"""Opening hours beyond Monday to Friday: weekly sessions on Saturday and Sunday produce
slots (not on a public holiday); a station opens extra evening hours for a date range
from its window page or the back office, audited, and withdraws them (booked places
kept). A walk-in is found by student/staff number, by whole ID number through the
blind index, or by name and phone, always posted."""

import datetime as dt

import pytest

from tongban.audit.models import AuditEntry
from tongban.booking import plans, services
from tongban.booking.models import Booking, ExtraHours, Session, Slot
from tongban.booking.tests.conftest import MONDAY, at
from tongban.conftest import make_id
from tongban.lib.errors import ApplicationError, NotAllowed

SATURDAY, SUNDAY = dt.date(2026, 10, 17), dt.date(2026, 10, 18)  # an ordinary weekend
HOLIDAY_SATURDAY = dt.date(2026, 10, 3)  # National Day
MAKE_UP_SATURDAY = dt.date(2026, 10, 10)  # a working Saturday


def text(response) -> str:
    return response.content.decode()


def starts(resource, day):
    return [s.start.astimezone(at(day, 0).tzinfo).strftime("%H:%M")
            for s in Slot.objects.filter(resource=resource, date=day, is_open=True).order_by("start")]


def test_saturday_and_sunday_sessions_produce_slots_except_on_a_public_holiday(desk):
    Session.objects.create(resource=desk.resource, weekday=5, start=dt.time(9), end=dt.time(10))
    Session.objects.create(resource=desk.resource, weekday=6, start=dt.time(14), end=dt.time(15))
    plans.ensure_slots(resource=desk.resource, first=MONDAY, last=SUNDAY)
    assert starts(desk.resource, SATURDAY) == ["09:00", "09:30"]
    assert starts(desk.resource, SUNDAY) == ["14:00", "14:30"]
    assert starts(desk.resource, HOLIDAY_SATURDAY) == []
    # a make-up Saturday with sessions of its own keeps to them
    assert starts(desk.resource, MAKE_UP_SATURDAY) == ["09:00", "09:30"]


def test_extra_hours_open_a_date_range_on_its_working_days_or_every_day(desk, world):
    services.open_extra_hours(actor=world.clerk, resource=desk.resource, first=dt.date(2026, 9, 30),
                              last=dt.date(2026, 10, 11), start=dt.time(18), end=dt.time(19), note="毕业季")
    plans.ensure_slots(resource=desk.resource, first=MONDAY, last=SUNDAY)
    evening = ["18:00", "18:30"]
    assert starts(desk.resource, dt.date(2026, 9, 30))[-2:] == evening
    assert starts(desk.resource, dt.date(2026, 10, 2)) == []  # National Day
    assert starts(desk.resource, dt.date(2026, 10, 9))[-2:] == evening
    assert starts(desk.resource, MAKE_UP_SATURDAY)[-2:] == evening  # a working day
    assert starts(desk.resource, dt.date(2026, 10, 11)) == []  # an ordinary Sunday: working days only
    assert starts(desk.resource, dt.date(2026, 10, 12))[-2:] != evening  # past the range
    services.open_extra_hours(actor=world.clerk, resource=desk.resource, first=SATURDAY, last=SUNDAY,
                              start=dt.time(19), end=dt.time(20), working_days_only=False)
    plans.ensure_slots(resource=desk.resource, first=SATURDAY, last=SUNDAY)
    assert starts(desk.resource, SUNDAY) == ["19:00", "19:30"]


def test_opening_extra_hours_is_refused_naming_the_field_and_to_another_unit(desk, world):
    def open_(**kw):
        args = {"actor": world.clerk, "resource": desk.resource, "first": MONDAY, "last": MONDAY,
                "start": dt.time(18), "end": dt.time(20), **kw}
        with pytest.raises(ApplicationError) as refused:
            services.open_extra_hours(**args)
        return refused.value

    assert open_(last=MONDAY - dt.timedelta(days=1)).field == "last"
    assert open_(first=dt.date(2026, 9, 1), last=dt.date(2026, 9, 27)).code == "range_past"
    assert open_(last=MONDAY + dt.timedelta(days=400)).code == "range_too_long"
    assert open_(end=dt.time(17)).field == "end"
    assert isinstance(open_(actor=world.officer), NotAllowed)  # the university's, not this station's
    assert isinstance(open_(actor=world.auxiliary), NotAllowed)
    assert not ExtraHours.objects.exists()


def test_the_window_page_opens_extra_hours_cuts_their_slots_and_withdraws_them(desk, world, login, applicant_like):
    staff = login(world.clerk)
    page = staff.get("/workbench/booking/hours/")
    assert page.status_code == 200 and "加开时段" in text(page)
    bad = staff.post("/workbench/booking/hours/", {"resource": desk.resource.pk, "first": "2026-09-29",
                                                   "last": "2026-09-28", "start": "18:00", "end": "20:00"})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in text(bad)
    garbage = staff.post("/workbench/booking/hours/", {"resource": desk.resource.pk, "first": "明天",
                                                       "last": "", "start": "25:00", "end": "x"})
    assert garbage.status_code == 422 and "开始日期无效" in text(garbage)
    done = staff.post("/workbench/booking/hours/", {"resource": desk.resource.pk, "first": "2026-09-29",
                                                    "last": "2026-09-30", "start": "18:00", "end": "19:00",
                                                    "working_days_only": "on", "note": "毕业季"})
    assert done.status_code == 302
    extra = ExtraHours.objects.get()
    assert starts(desk.resource, dt.date(2026, 9, 29))[-2:] == ["18:00", "18:30"]  # cut at once
    entry = AuditEntry.objects.get(action="booking.extra_hours_open")
    assert entry.actor_id == world.clerk.pk and entry.details["slots_added"] == 4
    assert "毕业季" in text(staff.get(f"/workbench/booking/hours/?resource={desk.resource.pk}"))
    # someone books an evening place; withdrawing keeps it and closes the rest
    evening = Slot.objects.get(resource=desk.resource, start=at(dt.date(2026, 9, 29), 18))
    services.book(actor=world.applicant, slot=evening, service=desk.id_card)
    assert login(world.officer).post(f"/workbench/booking/hours/{extra.pk}/withdraw/").status_code == 404
    staff = login(world.clerk)
    withdrawn = staff.post(f"/workbench/booking/hours/{extra.pk}/withdraw/", follow=True)
    assert "1 个预约仍然有效" in text(withdrawn)
    assert not ExtraHours.objects.exists()
    assert starts(desk.resource, dt.date(2026, 9, 30))[-2:] != ["18:00", "18:30"]
    assert Booking.objects.get().state == "booked"
    assert staff.post(f"/workbench/booking/hours/{extra.pk}/withdraw/").status_code == 404  # a second tab
    assert AuditEntry.objects.filter(action="booking.extra_hours_withdraw").count() == 1


def test_the_back_office_lists_extra_hours_with_the_plan(desk, world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    page = login(world.sysadmin).get(f"/admin/booking/resource/{desk.resource.pk}/change/")
    assert "延时服务时段" in text(page)


# --- walk-ins ------------------------------------------------------------------------------

def _walk(staff, desk, **found):
    return staff.post("/workbench/booking/walk-in/", {"resource": desk.resource.pk, "service": desk.proof.pk,
                                                      **found}, follow=True)


def test_a_walk_in_is_found_by_id_number_through_the_blind_index(desk, world, login):
    number = make_id()
    world.person(name="孙居民", unit=world.east_1, id_number=number, category="resident")
    staff = login(world.clerk)
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"  # as typed from the card
    done = _walk(staff, desk, who=spaced)
    assert "现场取号 1 号" in text(done)
    assert Booking.objects.get().person.name == "孙居民"
    assert number not in done.redirect_chain[-1][0]
    assert staff.get("/workbench/booking/walk-in/", {"who": number}).status_code == 405  # never by GET


def test_a_walk_in_is_found_by_name_and_phone_together(desk, world, login):
    world.person(name="孙居民", unit=world.east_1, phone="13800138000", category="resident")
    staff = login(world.clerk)
    assert "须同时填写姓名和手机号" in text(_walk(staff, desk, name="孙居民"))
    assert "找不到该人员" in text(_walk(staff, desk, name="孙居民", phone="13900139000"))
    assert "现场取号 1 号" in text(_walk(staff, desk, name="孙居民", phone="138 0013 8000"))
    assert Booking.objects.get().person.name == "孙居民"


def test_a_walk_in_finds_nobody_outside_reach_or_when_two_people_match(desk, world, login):
    theirs = make_id()
    world.person(name="王五", unit=world.west, id_number=theirs, category="resident")  # another branch's
    world.person(name="同名", unit=world.east_1, phone="13700137000", category="resident")
    world.person(name="同名", unit=world.east_1, phone="13700137000", category="resident")
    staff = login(world.clerk)
    assert "找不到该人员" in text(_walk(staff, desk, who=theirs))
    assert "找不到该人员" in text(_walk(staff, desk, name="同名", phone="13700137000"))
    assert "请填写学号/工号或身份证号" in text(_walk(staff, desk))
    assert not Booking.objects.exists()


def test_someone_with_a_booking_today_found_by_id_number_is_checked_in_not_queued_twice(desk, world, login, now):
    number = make_id()
    person = world.person(name="孙居民", unit=world.east_1, id_number=number, category="resident")
    from tongban.accounts.services import create_user
    from tongban.people.services import link_account

    user = create_user(actor=None, username="sun", password="x-long-password-1", display_name="孙居民")
    link_account(actor=None, person=person, user=user)
    tuesday = MONDAY + dt.timedelta(days=1)
    booked = services.book(actor=user, slot=Slot.objects.get(resource=desk.resource, start=at(tuesday, 9)),
                           service=desk.proof)
    now(tuesday, 8, 55)
    done = _walk(login(world.clerk), desk, who=number)
    assert "已按预约签到，排队号 1 号" in text(done)
    booked.refresh_from_db()
    assert (booked.state, booked.queue_number) == ("checked_in", 1)
    assert Booking.objects.count() == 1
