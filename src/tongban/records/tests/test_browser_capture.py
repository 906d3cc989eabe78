"""At the window in a real browser: Chromium's fake camera (a Y4M file of a printed
page, 1280×960) stands for the document camera; the clerk takes three pages, deletes
one, retakes one, moves one up, saves; the case's item is one PDF/A of two pages, from
the camera, with its device."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tongban.conftest import CHROMIUM, sign_in
from tongban.records.models import Capture
from tongban.records.tests.conftest import page_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _y4m(path, width=1280, height=960, frames=3) -> None:
    """A still video of a printed page in YUV4MPEG2 (4:2:0), what Chromium's fake
    capture device plays."""
    image = Image.open(io.BytesIO(page_image(width, height))).convert("YCbCr")
    y, cb, cr = image.split()
    half = (width // 2, height // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)


@pytest.fixture
def camera_page(monkeypatch, tmp_path):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    video = tmp_path / "page.y4m"
    _y4m(video)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        context.grant_permissions(["camera"])
        yield context.new_page()
        browser.close()


def test_the_clerk_captures_pages_from_the_camera_reorders_retakes_and_deletes_before_saving(
        live_server, world, accepted, camera_page):
    page = camera_page
    sign_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/workbench/cases/{accepted.pk}/")
    row = page.locator("#capture-property-deed")
    row.locator("summary").click()
    row.locator("button.capture-start").click()
    shoot, taken = row.locator("button.capture-shoot"), row.locator(".capture-page")
    expect(row.locator(".capture-camera")).to_be_visible()
    while taken.count() == 0:  # the first frame may take a moment to arrive
        shoot.click()
        page.wait_for_timeout(200)
    for n in (2, 3):
        shoot.click()
        expect(taken).to_have_count(n)
    row.locator(".capture-page").nth(2).locator("button.capture-delete").click()
    assert row.locator(".capture-page").count() == 2
    row.locator(".capture-page").nth(0).locator("button.capture-retake").click()
    assert row.locator("em").count() == 1  # the next picture replaces page 1
    shoot.click()
    expect(row.locator("em")).to_have_count(0)
    row.locator(".capture-page").nth(1).locator("button.capture-up").click()
    row.locator("button[type=submit]").click()
    page.locator("#capture-property-deed[data-state=captured]").wait_for()
    capture = Capture.objects.get(case=accepted, item_key="property-deed")
    assert (capture.pages, capture.source, capture.pdfa) == (2, "camera", True)
    assert capture.device and len(capture.page_digests) == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_blank_page_from_the_browser_is_refused_next_to_the_item(live_server, world, accepted, camera_page,
                                                                   tmp_path):
    blank = tmp_path / "blank.jpg"
    blank.write_bytes(page_image(lines=False))
    page = camera_page
    sign_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/workbench/cases/{accepted.pk}/")
    row = page.locator("#capture-property-deed")
    row.locator("summary").click()
    row.locator("input[type=file]").set_input_files(str(blank))
    row.locator("button[type=submit]").click()
    expect(row.locator(".capture-errors li").filter(has_text="空白")).to_have_count(1)
    assert not Capture.objects.exists()
