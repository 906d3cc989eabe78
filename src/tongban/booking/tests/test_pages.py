"""The pages over HTTP: the applicant books from the resource page and sees the
materials and, on the day, the queue number; refusals come back as the page with a
Chinese reason and the right status, never a 500; the window works the day view."""

import datetime as dt

from tongban.booking.models import Booking, State
from tongban.booking.services import book
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.restrictions import services as restrictions
from tongban.restrictions.models import Blocks, Kind

TUESDAY = MONDAY + dt.timedelta(days=1)


def text(response) -> str:
    return response.content.decode()


def test_the_applicant_books_from_the_resource_page(desk, world, login):
    client = login(world.applicant)
    assert "户籍窗口 1" in text(client.get("/booking/"))
    page = client.get(f"/booking/{desk.resource.pk}/?service={desk.id_card.pk}")
    assert page.status_code == 200 and "余 2" in text(page) and "9月29日" in text(page)
    s = slot(desk.resource, TUESDAY, 9)
    done = client.post(f"/booking/{desk.resource.pk}/", {"service": desk.id_card.pk, "slot": s.pk})
    b = Booking.objects.get()
    assert done.status_code == 302 and done.url == f"/booking/mine/{b.pk}/"
    confirmation = text(client.get(done.url))
    assert "请携带以下材料" in confirmation and "居民身份证原件" in confirmation
    assert "居民身份证办理" in text(client.get("/booking/mine/"))


def test_a_full_slot_and_bad_input_answer_in_chinese_without_a_500(desk, world, login, applicant_like):
    s = slot(desk.resource, TUESDAY, 9)
    for name in ("赵同学", "钱同学"):
        book(actor=applicant_like(name), slot=s, service=desk.id_card)
    client = login(world.applicant)
    url = f"/booking/{desk.resource.pk}/"
    full = client.post(url, {"service": desk.id_card.pk, "slot": s.pk})
    assert full.status_code == 409 and "已约满" in text(full)
    for bad in ({"service": desk.id_card.pk, "slot": "abc"}, {"service": desk.id_card.pk, "slot": "99999"},
                {"service": desk.id_card.pk}):
        answer = client.post(url, bad)
        assert answer.status_code == 422 and "请选择预约时段" in text(answer), bad
    no_service = client.post(url, {"service": "x", "slot": slot(desk.resource, TUESDAY, 10).pk})
    assert no_service.status_code == 422 and "请选择要办理的事项" in text(no_service)
    assert client.get("/booking/99999/").status_code == 404
    assert client.get(f"/booking/{desk.resource.pk}/?service=abc").status_code == 200
    assert not Booking.objects.filter(account=world.applicant).exists()


def test_a_restricted_applicant_reads_why(desk, world, login):
    restrictions.impose(actor=None, person=world.applicant_person, kind=Kind.MANUAL, reason="多次违规",
                        blocks=Blocks.BOOKING)
    answer = login(world.applicant).post(f"/booking/{desk.resource.pk}/",
                                         {"service": desk.id_card.pk, "slot": slot(desk.resource, TUESDAY, 9).pk})
    assert answer.status_code == 403 and "多次违规" in text(answer)


def test_cancel_and_reschedule_from_my_bookings(desk, world, login):
    client = login(world.applicant)
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    page = client.get(f"/booking/mine/{b.pk}/reschedule/")
    assert page.status_code == 200 and "改约" in text(page)
    new = slot(desk.resource, TUESDAY, 10)
    assert client.post(f"/booking/mine/{b.pk}/reschedule/", {"slot": new.pk}).status_code == 302
    assert Booking.objects.get(pk=b.pk).slot_id == new.pk
    assert client.post(f"/booking/mine/{b.pk}/reschedule/", {"slot": "x"}).status_code == 422
    assert client.post(f"/booking/mine/{b.pk}/cancel/").status_code == 302
    assert Booking.objects.get(pk=b.pk).state == State.CANCELLED
    assert "已预约" not in text(client.get("/booking/mine/")).split("历史预约")[0]


def test_reschedule_offers_the_other_windows_that_take_the_service(desk, world, login):
    from tongban.booking import plans
    from tongban.booking.models import Resource, Session

    other = Resource.objects.create(name="户籍窗口 2", org_unit=world.east_1, place="二楼", capacity=1)
    other.services.set([desk.id_card])
    Session.objects.create(resource=other, weekday=TUESDAY.weekday(), start=dt.time(9), end=dt.time(10))
    plans.ensure_slots(resource=other, first=TUESDAY, last=TUESDAY)
    unrelated = Resource.objects.create(name="出入境窗口", org_unit=world.east_1, capacity=1)
    unrelated.services.set([desk.proof])
    client = login(world.applicant)
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)

    page = text(client.get(f"/booking/mine/{b.pk}/reschedule/"))
    assert f"?resource={other.pk}" in page and "出入境窗口" not in page
    there = client.get(f"/booking/mine/{b.pk}/reschedule/?resource={other.pk}")
    target = slot(other, TUESDAY, 9)
    assert f'value="{target.pk}"' in text(there)
    moved = client.post(f"/booking/mine/{b.pk}/reschedule/", {"resource": other.pk, "slot": target.pk})
    assert moved.status_code == 302
    assert Booking.objects.filter(pk=b.pk, resource=other, slot=target).exists()
    # a window that does not take the service is not offered, whatever is asked for
    asked = text(client.get(f"/booking/mine/{b.pk}/reschedule/?resource={unrelated.pk}"))
    assert "出入境窗口" not in asked


def test_someone_elses_booking_is_not_found(desk, world, login, applicant_like):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    client = login(applicant_like())
    assert client.get(f"/booking/mine/{b.pk}/").status_code == 404
    assert client.post(f"/booking/mine/{b.pk}/cancel/").status_code == 404


def test_the_window_checks_in_and_the_phone_shows_the_number(desk, world, login, now):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    now(TUESDAY, 8, 45)
    staff = login(world.clerk)
    day = text(staff.get(f"/workbench/booking/?resource={desk.resource.pk}&date=2026-09-29"))
    assert "李同学" in day and "签到" in day
    checked = staff.post(f"/workbench/booking/{b.pk}/check-in/", follow=True)
    assert checked.redirect_chain[0][1] == 302 and "李同学：已签到，排队号 1。" in text(checked)
    phone = login(world.applicant)
    status = phone.get(f"/booking/mine/{b.pk}/", headers={"HX-Request": "true"})
    assert 'id="queue-number">1<' in text(status) and "<html" not in text(status)
    assert 'hx-trigger="every 10s"' in text(status)


def test_the_window_refuses_in_chinese_and_keeps_to_its_reach(desk, world, login, now):
    b = book(actor=world.applicant, slot=slot(desk.resource, TUESDAY, 9), service=desk.id_card)
    staff = login(world.clerk)
    refused = staff.post(f"/workbench/booking/{b.pk}/check-in/", follow=True)
    assert "只能在预约当天签到" in text(refused)
    assert staff.post(f"/workbench/booking/{b.pk}/nonsense/", follow=True).status_code == 200
    walk = staff.post("/workbench/booking/walk-in/", {"resource": desk.resource.pk, "who": "nobody",
                                                      "service": desk.id_card.pk}, follow=True)
    assert "找不到该人员" in text(walk)
    assert staff.post("/workbench/booking/walk-in/", {"resource": "x"}).status_code == 404
    officer = login(world.officer)  # the university's officer: not this police window
    assert "没有预约窗口" in text(officer.get("/workbench/booking/"))
    assert officer.post(f"/workbench/booking/{b.pk}/check-in/").status_code == 404
    assert officer.get(f"/workbench/booking/?resource={desk.resource.pk}").status_code == 404
    assert login(world.auxiliary).get("/workbench/booking/").status_code == 403
    assert login(world.applicant).get("/workbench/booking/").status_code in (302, 403)


def test_walk_in_over_http(desk, world, login, now):
    world.person(name="孙居民", student_number="W001", unit=world.east_1)
    staff = login(world.clerk)
    staff.post("/workbench/booking/walk-in/", {"resource": desk.resource.pk, "who": "W001",
                                               "service": desk.proof.pk})
    b = Booking.objects.get()
    assert (b.person.name, b.queue_number, b.walk_in) == ("孙居民", 1, True)


def test_the_back_office_edits_resources_with_their_sessions(desk, world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    client = login(world.sysadmin)
    page = client.get(f"/admin/booking/resource/{desk.resource.pk}/change/")
    assert page.status_code == 200 and "每周时段" in text(page) and "加开时段" in text(page)
    assert client.get("/admin/booking/booking/").status_code == 200
    assert client.get("/admin/booking/slot/").status_code == 200
