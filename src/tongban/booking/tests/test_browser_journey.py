"""End to end on a phone: an applicant books the window for Tuesday morning and sees
the materials to bring; on the day the clerk checks them in at the window's day view
and the applicant's page shows the queue number."""

import pytest

from tongban.booking.models import Booking
from tongban.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_on_a_phone_then_check_in_at_the_window(live_server, world, desk, now, phone):
    base = live_server.url
    sign_in(phone, base, "applicant")
    phone.goto(f"{base}/booking/")
    phone.click(f"a[href='/booking/{desk.resource.pk}/?service={desk.id_card.pk}']")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.locator("button[name=slot]").first.click()  # the first place open to book
    phone.wait_for_selector("text=预约成功。")
    assert "居民身份证原件" in phone.content()  # the materials checklist
    booking = Booking.objects.get(account=world.applicant)
    assert booking.slot.start.astimezone().hour >= 10  # not within the hour's minimum notice

    start = booking.slot.start.astimezone()
    now(booking.date, start.hour - 1, 50)
    sign_in(phone, base, "clerk")
    phone.goto(f"{base}/workbench/booking/?resource={desk.resource.pk}&date={booking.date.isoformat()}")
    phone.click("button:has-text('签到')")
    phone.wait_for_selector("text=已签到")
    booking.refresh_from_db()
    assert booking.queue_number == 1

    sign_in(phone, base, "applicant")
    phone.goto(f"{base}/booking/mine/{booking.pk}/")
    assert phone.inner_text("#queue-number") == "1"
