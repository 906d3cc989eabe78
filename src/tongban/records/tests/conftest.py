"""A station's move-in service (购房迁入: the station reviews, the branch approves),
linked to its sub-item of the household business catalog, and pages to capture."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.catalog.models import FormField, Material, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish
from tongban.records import services as records
from tongban.records.models import SubItem

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def page_image(width=1200, height=900, *, colour="white", ink="black", lines=True, seed=1, kind="JPEG") -> bytes:
    """A page with lines of 'text' on it (a blank sheet with `lines=False`)."""
    image = Image.new("RGB", (width, height), colour)
    if lines:
        draw = ImageDraw.Draw(image)
        rnd = random.Random(seed)
        for y in range(40, height - 40, 36):
            x = 50
            while x < width - 80:
                w = rnd.randint(10, 60)
                draw.rectangle((x, y, x + w, y + 14), fill=ink)
                x += w + rnd.randint(8, 20)
    out = io.BytesIO()
    image.save(out, kind, quality=85)
    return out.getvalue()


def upload(data: bytes, name="page.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pages(count=2, **kwargs):
    return [upload(page_image(seed=n, **kwargs), f"page-{n}.jpg") for n in range(1, count + 1)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _catalog(request):
    """The shipped catalog, as the data migration seeds it: a transactional test that
    ran before (a browser test, anyone's) flushed the migration's rows away."""
    if not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
    if not SubItem.objects.exists():
        records.load_catalog(actor=None)


@pytest.fixture
def station_officer(world):
    officer = create_user(actor=None, username="station_officer", password="x-long-password",
                          display_name="所内民警")
    grant_role(actor=None, user=officer, role=Role.OFFICER, org_unit=world.east_1)
    return officer


@pytest.fixture
def move_in(world, station_officer):
    """户口迁入（购房）at 东门派出所: accepted at the window, reviewed by the station, approved
    by 东城分局; its sub-item 购房迁入 points at it, and the catalog is published again."""
    item = ServiceItem.objects.create(
        code="move-in-purchase", name="购房户口迁入", category="户政", org_unit=world.east_1,  # i18n: data
        serial_prefix="QR", needs_acceptance=True, promised_days=10, statutory_days=20)
    FormField.objects.create(item=item, order=1, key="name", label="姓名", prefill="name")  # i18n: data
    Material.objects.create(item=item, order=1, key="deed", name="不动产权证书", core=True)  # i18n: data
    Step.objects.create(item=item, stage=1, key="review", name="所内审核", role=Role.OFFICER,  # i18n: data
                        unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=2)
    Step.objects.create(item=item, stage=2, key="approve", name="分局审批", role=Role.APPROVER,  # i18n: data
                        unit_rule=UnitRule.PARENT_OF_PREVIOUS, time_limit_days=3)
    publish(actor=None, item=item)
    item.refresh_from_db()
    sub_item = SubItem.objects.get(name="购房迁入")  # i18n: data
    sub_item.service = item
    records.save_sub_item(actor=world.sysadmin, sub_item=sub_item, changed=["service"])
    records.publish_catalog(actor=world.sysadmin)
    return item


@pytest.fixture
def accepted(world, move_in):
    """The applicant's move-in case, submitted and accepted at the window by the clerk."""
    from tongban.cases import services
    from tongban.cases.uploads import attach

    case = services.start_application(actor=world.applicant, item=move_in)
    attach(actor=world.applicant, case=case, material_key="deed",
           upload=SimpleUploadedFile("deed.pdf", PDF, content_type="application/pdf"))
    services.submit(actor=world.applicant, case=case)
    return services.accept(actor=world.clerk, case=case)


def capture_all(case, actor, *, skip=()):
    """Every item of the case's capture list captured by `actor` (but `skip`)."""
    from tongban.records.plans import capture_items

    for entry in capture_items(case):
        if entry["key"] not in skip:
            records.capture(actor=actor, case=case, item_key=entry["key"], pages=pages(1))
