"""End to end on a phone: a student finds a service, fills the form (a field appears
when an answer calls for it), uploads a material, submits; the college counsellor
approves it from the to-do list."""

import pytest

from tongban.cases.models import Case
from tongban.cases.tests.conftest import PDF
from tongban.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_applies_on_a_phone_and_the_counsellor_approves(live_server, world, certificate_service, phone,
                                                                   tmp_path):
    base = live_server.url
    sign_in(phone, base, "applicant")
    phone.goto(f"{base}/services/")
    phone.click("text=学士学位证书遗失证明")
    assert "办事指南" in phone.content()
    phone.click("button:has-text('在线申请')")
    phone.wait_for_url("**/edit/")

    statement = tmp_path / "遗失声明.pdf"
    statement.write_bytes(PDF)
    phone.locator("input[aria-label='遗失声明']").set_input_files(str(statement))
    phone.evaluate("window.sameDocument = true")
    phone.locator("form:has(input[aria-label='遗失声明']) button").click()
    phone.wait_for_selector("text=遗失声明.pdf")
    assert phone.evaluate("window.sameDocument === true")  # htmx put the file in place: no reload

    assert phone.locator("#id_newspaper").count() == 0
    phone.fill("#id_year", "2024")
    phone.check("input[name=reported][value=是]")
    phone.wait_for_selector("#id_newspaper")  # htmx saved the draft and showed the field
    phone.wait_for_selector("input[aria-label='登报剪报']")  # and the material it now needs, in place
    phone.fill("#id_newspaper", "示例日报")
    phone.click("button:has-text('保存草稿')")  # the page again, asking for the clipping now
    phone.wait_for_selector("text=草稿已保存。")
    clipping = tmp_path / "剪报.pdf"
    clipping.write_bytes(PDF)
    phone.locator("input[aria-label='登报剪报']").set_input_files(str(clipping))
    phone.locator("form:has(input[aria-label='登报剪报']) button").click()
    phone.wait_for_selector("text=剪报.pdf")
    phone.click("button:has-text('提交申请')")
    phone.wait_for_selector("text=申请已提交。")
    case = Case.objects.get(applicant=world.applicant)
    assert case.serial in phone.content() and case.answers["newspaper"] == "示例日报"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    sign_in(phone, base, "college_admin")
    phone.goto(f"{base}/workbench/todo/")
    phone.click(f"text={case.serial}")
    phone.fill("textarea[name=comment]", "情况属实")
    phone.click("button[name=outcome][value=approve]")
    phone.wait_for_selector("text=已办理。")
    case.refresh_from_db()
    assert (case.status, case.stage) == ("in_approval", 2)
