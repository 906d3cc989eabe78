"""Bad input on booking's forms, over HTTP: every error at once, each beside its field
(inside the form it belongs to), in Chinese, what was typed kept, nothing written."""

import datetime as dt

from tongban.booking.models import Booking, ExtraHours, State
from tongban.booking.services import book
from tongban.booking.tests.conftest import MONDAY, slot

TUESDAY = MONDAY + dt.timedelta(days=1)


def text(response) -> str:
    return response.content.decode()


def after(page: str, marker: str) -> str:
    """The page from `marker` on: the error must sit inside that form, beside its field."""
    assert marker in page, marker
    return page[page.index(marker):]


def test_booking_with_a_bad_slot_and_service_names_both_in_the_form(desk, world, login):
    client = login(world.applicant)
    answer = client.post(f"/booking/{desk.resource.pk}/", {"service": "x", "slot": "abc"})
    page = text(answer)
    assert answer.status_code == 422
    assert "请选择预约时段。" in page and "请选择要办理的事项。" in page  # both at once
    empty = client.post(f"/booking/{desk.resource.pk}/", {})
    assert empty.status_code == 422 and "请选择预约时段。" in text(empty)
    assert not Booking.objects.exists()


def test_a_slot_of_another_day_is_refused_beside_the_slots_keeping_the_service(desk, world, login):
    client = login(world.applicant)
    answer = client.post(f"/booking/{desk.resource.pk}/", {"service": desk.id_card.pk, "slot": "99999"})
    page = text(answer)
    assert answer.status_code == 422
    form = after(page, '<form method="post">')
    assert "请选择预约时段。" in form  # beside the slot buttons, not above the page
    assert f'name="service" value="{desk.id_card.pk}"' in form  # the service chosen is kept
    assert not Booking.objects.exists()


def test_rescheduling_to_no_slot_keeps_the_window_and_the_booking(desk, world, login):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    answer = login(world.applicant).post(f"/booking/mine/{b.pk}/reschedule/",
                                         {"resource": desk.resource.pk, "slot": "x"})
    assert answer.status_code == 422
    assert "请选择预约时段。" in after(text(answer), '<form method="post">')
    assert Booking.objects.get(pk=b.pk).slot_id == b.slot_id


def test_the_window_cancelling_without_a_reason_is_told_beside_that_booking(desk, world, login):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    staff = login(world.clerk)
    empty = staff.post(f"/workbench/booking/{b.pk}/cancel/", {"reason": "  "})
    assert empty.status_code == 422
    assert "请填写取消原因" in after(text(empty), f'action="/workbench/booking/{b.pk}/cancel/"')
    too_long = staff.post(f"/workbench/booking/{b.pk}/cancel/", {"reason": "久" * 300})
    row = after(text(too_long), f'action="/workbench/booking/{b.pk}/cancel/"')
    assert too_long.status_code == 422 and "原因最多 255 个字" in row and "久" * 300 in row
    assert Booking.objects.get(pk=b.pk).state == State.BOOKED


def test_a_walk_in_by_name_alone_keeps_the_name_and_queues_nobody(desk, world, login):
    world.person(name="孙居民", unit=world.east_1, phone="13800138000", category="resident")
    staff = login(world.clerk)
    answer = staff.post("/workbench/booking/walk-in/", {"resource": desk.resource.pk, "service": desk.proof.pk,
                                                        "name": "孙居民", "who": "", "phone": ""})
    form = after(text(answer), 'action="/workbench/booking/walk-in/"')
    assert answer.status_code == 422
    assert "按姓名查找时须同时填写姓名和手机号" in form and 'value="孙居民"' in form
    nobody = staff.post("/workbench/booking/walk-in/", {"resource": desk.resource.pk, "service": desk.proof.pk,
                                                        "who": "W404"})
    assert "找不到该人员" in after(text(nobody), 'action="/workbench/booking/walk-in/"')
    assert 'value="W404"' in text(nobody)
    assert not Booking.objects.exists()


def test_extra_hours_with_bad_dates_name_each_field_and_keep_what_was_typed(desk, world, login):
    answer = login(world.clerk).post("/workbench/booking/hours/", {
        "resource": desk.resource.pk, "first": "明天", "last": "", "start": "25:00", "end": "18:00", "note": "毕业季"})
    page = text(answer)
    assert answer.status_code == 422
    for words in ("开始日期无效", "请填写结束日期", "开始时间无效"):
        assert words in page, words
    assert 'value="明天"' in page and 'value="毕业季"' in page
    assert not ExtraHours.objects.exists()
