"""End to end in headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""

import pytest

from tongban.conftest import sign_in

pytestmark = pytest.mark.browser

@pytest.mark.django_db(transaction=True)
def test_an_officer_logs_in_on_a_phone_and_unmasks_an_id_with_a_reason(live_server, world, phone):
    person = world.person(name="王小明", unit=world.econ)
    sign_in(phone, live_server.url, "officer")  # the password, then the authenticator's code
    phone.wait_for_url(f"{live_server.url}/workbench/")

    phone.locator("a.tile strong").get_by_text("人员", exact=True).click()
    phone.fill("#q", "王小明")
    phone.click("button:has-text('查询')")
    row = phone.locator("tr", has_text="王小明")
    assert person.id_number_masked in row.inner_text()
    assert person.plain_id_number() not in phone.content()

    row.locator("a").click()
    phone.fill("#reason", "核对户籍迁入材料")
    phone.click("#unmask button[type=submit]")
    phone.wait_for_selector("#plain-value")
    assert phone.inner_text("#plain-value") == person.plain_id_number()
    # htmx swapped the fragment in place: still on the person's page.
    assert phone.url.endswith(f"/workbench/people/{person.pk}/")


@pytest.mark.django_db(transaction=True)
def test_the_home_page_has_no_horizontal_scroll_on_a_phone(live_server, phone):
    phone.goto(f"{live_server.url}/")
    assert phone.inner_text("h1") == "户籍业务一网通办"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
