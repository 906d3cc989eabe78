"""A small published catalog for the assistant to answer from, written as the demo's
guides are (the Chinese is the services' data)."""

import pytest

from tongban.accounts.roles import Role
from tongban.assistant import index
from tongban.catalog.models import Material, ServiceItem, Step
from tongban.catalog.services import publish

SERVICES = [  # i18n: data
    ("card-borrow", "借用集体户口卡", ["student", "staff"], "hukou.card_loan", 1, [],  # i18n: data
     "本人预约后到保卫处户籍窗口借用。"),  # i18n: data
    ("hukou-storage", "毕业生户口暂存", ["student"], "hukou.store", 3, ["暂存承诺书"],  # i18n: data
     "毕业生本人申请，最长暂存 6 个月。"),  # i18n: data
    ("hukou-move-out", "集体户口迁出", ["student", "staff"], "hukou.move_out", 5,  # i18n: data
     ["准予迁入证明（接收函）"], "在集体户的本人申请。"),  # i18n: data
    ("hukou-move-in", "新生集体户口迁入", ["student"], "hukou.move_in", 5, ["户口迁移证照片"],  # i18n: data
     "新生本人申请。"),  # i18n: data
    ("no-criminal-record", "无犯罪记录证明", ["student", "staff", "resident"], "", 3,  # i18n: data
     ["身份证正反面"], "本人申请。"),  # i18n: data
    ("enrolment-proof", "在读证明", ["student"], "", 2, [], "在读学生本人申请。"),  # i18n: data
]


@pytest.fixture
def catalog(world):
    """The services above, published at the university (its officer handles them)."""
    items = {}
    for code, name, audience, effect, days, materials, conditions in SERVICES:
        item = ServiceItem.objects.create(
            code=code, name=name, category="集体户口", org_unit=world.univ, audience=audience,  # i18n: data
            ways=["online"], needs_acceptance=False, promised_days=days, effect=effect, conditions=conditions,
            process="在线申请 → 审核 → 办结通知", place_hours="保卫处户籍窗口，工作日 8:30–17:00",  # i18n: data
            enquiry_phone="0000-12345678", fee="不收费")  # i18n: data
        for n, material in enumerate(materials, start=1):
            Material.objects.create(item=item, order=n, key=f"m{n}", name=material)
        Step.objects.create(item=item, order=1, key="officer", name="户籍审核", role=Role.OFFICER)  # i18n: data
        publish(actor=None, item=item)
        items[code] = item
    index.reset()
    yield items
    index.reset()
