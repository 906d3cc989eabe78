"""End to end on a phone: a freshman on the imported list binds with ID number +
student number, moves the household in (certificate fields, photo), the security
office approves it from the to-do list; another freshman waives and gets the PDF."""

import pytest

from tongban.conftest import make_id, sign_in
from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.tests.conftest import CERTIFICATE, PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bind(page, base, id_number, student_number):
    page.context.clear_cookies()
    page.goto(f"{base}/bind/?next=/hukou/")
    page.fill("#id_number", id_number)
    page.fill("#student_number", student_number)
    page.fill("#password", "a-long-enough-password-9")
    page.click("button:has-text('绑定')")
    page.wait_for_url("**/hukou/")


def test_a_freshman_binds_moves_in_and_the_office_approves(live_server, world, household, phone, tmp_path):
    base = live_server.url
    id_number = make_id()
    person = world.person(name="新生王", student_number="2026100", id_number=id_number)
    _bind(phone, base, id_number, "2026100")
    assert phone.inner_text("#household-status") == "待选择"
    phone.click("text=迁入集体户口")
    phone.click("button:has-text('在线申请')")
    phone.wait_for_url("**/edit/")
    log = []
    phone.on("response", lambda r: log.append((r.url[-12:], r.status, (r.request.post_data or "")[-80:])))
    assert phone.input_value("#id_name") == "新生王"  # prefilled from the person record
    for key, value in CERTIFICATE.items():
        phone.fill(f"#id_{key}", value)
    phone.keyboard.press("Tab")  # the last change saves the draft (htmx); let it land first
    phone.wait_for_load_state("networkidle")
    phone.locator(".htmx-request").first.wait_for(state="detached")  # no eval: the CSP forbids it
    photo = tmp_path / "迁移证.png"
    photo.write_bytes(PNG)
    phone.locator("input[aria-label='户口迁移证照片']").set_input_files(str(photo))
    phone.locator("form:has(input[aria-label='户口迁移证照片']) button").click()
    phone.wait_for_selector("text=迁移证.png")
    phone.click("button:has-text('提交申请')")
    phone.wait_for_load_state()
    errors = phone.locator("p.error, .errorlist").all_inner_texts()
    assert not errors, (errors, log)
    phone.wait_for_selector("text=申请已提交。")
    assert HouseholdRecord.objects.get(person=person).status == Status.SUBMITTED

    rec = HouseholdRecord.objects.get(person=person)
    sign_in(phone, base, "officer")
    phone.goto(f"{base}/workbench/todo/")
    phone.click(f"text={rec.last_case.serial}")
    phone.fill("textarea[name=comment]", "迁移证信息核对无误")
    phone.click("button[name=outcome][value=approve]")
    phone.wait_for_selector("text=已办理。")
    rec.refresh_from_db()
    assert rec.status == Status.IN_SCHOOL and rec.certificate_number == CERTIFICATE["certificate_number"]

    phone.goto(f"{base}/workbench/hukou/overview/")
    phone.click(f"#overview a[href*='status=in_school'][href*='college={world.econ.pk}']")
    assert "新生王" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_freshman_waives_and_downloads_the_signed_record(live_server, world, household, phone):
    base = live_server.url
    id_number = make_id()
    person = world.person(name="新生李", student_number="2026200", id_number=id_number)
    _bind(phone, base, id_number, "2026200")
    phone.click("a[href='/hukou/waiver/']")
    phone.click("button:has-text('确认不落户')")
    phone.wait_for_selector("text=请阅读并勾选同意承诺书")
    phone.check("#agree")
    phone.click("button:has-text('确认不落户')")
    phone.wait_for_selector("text=已确认不落户")
    assert phone.inner_text("#household-status") == "不落户"
    with phone.expect_download() as download:
        phone.click("text=下载 PDF")
    assert download.value.suggested_filename.endswith(".pdf")
    assert HouseholdRecord.objects.get(person=person).status == Status.WAIVED


def test_a_graduate_stores_then_moves_out_and_prints_the_notice(live_server, world, household, apply, approve,
                                                                 graduate, phone):
    base = live_server.url
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))  # in school already
    graduate()
    sign_in(phone, base, "applicant")
    phone.goto(f"{base}/hukou/")
    phone.click(f"a[href='/services/{household.store.code}/']")
    phone.click("button:has-text('在线申请')")
    phone.wait_for_url("**/edit/")
    phone.fill("#id_months", "6")
    phone.keyboard.press("Tab")
    phone.wait_for_load_state("networkidle")
    phone.click("button:has-text('提交申请')")
    phone.wait_for_selector("text=申请已提交。")
    approve(household.store.cases.get(applicant=world.applicant))
    phone.goto(f"{base}/hukou/")
    assert phone.inner_text("#household-status") == "毕业暂存"

    phone.click(f"a[href='/services/{household.move_out.code}/']")
    phone.click("button:has-text('在线申请')")
    phone.wait_for_url("**/edit/")
    phone.fill("#id_destination", "河北省保定市莲池区某街 1 号")
    phone.fill("#id_authority", "保定市公安局莲池分局")
    phone.keyboard.press("Tab")
    phone.wait_for_load_state("networkidle")
    phone.click("button:has-text('提交申请')")
    phone.wait_for_selector("text=申请已提交。")
    approve(household.move_out.cases.get(applicant=world.applicant))
    phone.goto(f"{base}/hukou/")
    assert phone.inner_text("#household-status") == "已迁出"
    with phone.expect_download() as download:
        phone.click("text=下载迁出通知单")
    assert download.value.suggested_filename == "move-out-notice.pdf"
