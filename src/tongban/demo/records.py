"""The household business archive in the demo: the shipped catalog (the data migration
seeds it; a flushed database gets it again here) with the demo's move-in service
(户口迁入（市局审批）: station → branch → city) as its sub-item 人才引进迁入, published, so
the window's capture list and the rule on approval show on its cases."""

from __future__ import annotations

from tongban.catalog.models import ServiceItem
from tongban.records import services
from tongban.records.models import SubItem

LINKS = {"hukou-move-in-city": "人才引进迁入"}  # i18n: data


def seed_records() -> int:
    """Link the demo's services to their sub-items; returns how many were linked now."""
    services.load_catalog(actor=None)
    linked = 0
    for code, name in LINKS.items():
        item = ServiceItem.objects.filter(code=code).first()
        sub_item = SubItem.objects.filter(name=name).first()
        if item is None or sub_item is None or sub_item.service_id == item.pk:
            continue
        sub_item.service = item
        services.save_sub_item(actor=None, sub_item=sub_item, changed=["service"])
        linked += 1
    if linked:
        services.publish_catalog(actor=None)
    return linked


def demo_page(seed: int = 0, width: int = 1240, height: int = 1754) -> bytes:
    """A made-up printed page (lines of 'text' on paper) as a JPEG, for the demo's captures."""
    import io
    import random

    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    image = Image.new("RGB", (width, height), (246, 244, 238))
    draw = ImageDraw.Draw(image)
    for y in range(120, height - 120, 44):
        x = 100
        while x < width - 160:
            w = rnd.randint(14, 80)
            draw.rectangle((x, y, x + w, y + 18), fill=(30, 30, 30))
            x += w + rnd.randint(10, 24)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def capture_everything(*, case, actor) -> int:
    """Every item of the case's capture list captured by `actor` (one made-up page each)
    and the applicant's portrait: what the window does before a case goes on."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.records.plans import capture_items

    count = 0
    for n, entry in enumerate(capture_items(case)):
        services.capture(actor=actor, case=case, item_key=entry["key"], device="demo document camera",
                         pages=[SimpleUploadedFile(f"{entry['key']}.jpg", demo_page(n), content_type="image/jpeg")])
        count += 1
    return count
