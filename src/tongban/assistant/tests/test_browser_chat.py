"""On a phone, as a new user would: a student asks in their own words and gets cited
answers, one question back (in or out?) answered by a tap, and one honest "not sure";
the page keeps to the phone's width and its Content-Security-Policy (no inline script)."""

import pytest

from tongban.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ask(page, text: str) -> str:
    before = page.locator("#assistant-replies > li.assistant-reply").count()
    page.fill("#assistant-q", text)
    page.click("form[data-assistant-ask] button")
    page.locator("#assistant-replies > li.assistant-reply").nth(before).wait_for()
    return page.locator("#assistant-replies > li.assistant-reply").last.inner_text()


def test_a_student_asks_six_questions_on_a_phone(live_server, catalog, world, phone):
    base = live_server.url
    errors = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(phone, base, "applicant")
    phone.goto(f"{base}/assistant/")
    assert "借用集体户口卡" in ask(phone, "户口卡怎么借")
    assert "身份证正反面" in ask(phone, "无犯罪证明要带什么")
    assert "2 个工作日" in ask(phone, "在读证明多久能拿到")
    assert "暂存承诺书" in ask(phone, "毕业了户口暂存要什么材料")
    clarify = ask(phone, "我要迁户口")
    assert "迁入" in clarify and "迁出" in clarify
    before = phone.locator("#assistant-replies > li.assistant-reply").count()
    phone.locator("#assistant-replies > li.assistant-reply").last.locator("button:has-text('迁出')").click()
    phone.locator("#assistant-replies > li.assistant-reply").nth(before).wait_for()
    assert "集体户口迁出" in phone.locator("#assistant-replies > li.assistant-reply").last.inner_text()
    unsure = ask(phone, "户口的事情问一下")
    assert "不太确定" in unsure and "0000-12345678" in unsure
    shown = ask(phone, "<script>alert(1)</script>")
    assert phone.locator("#assistant-replies script").count() == 0 and shown
    phone.locator("#assistant-replies > li.assistant-reply").first.locator("button:has-text('有用')").click()
    phone.wait_for_selector("text=谢谢反馈")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not [e for e in errors if "Content Security Policy" in e], errors
