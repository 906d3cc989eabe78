"""The security office's household services, configured through the catalog's own
models as the office would and published: move in (one officer step), waive (no step:
completes on submission), store after graduation, move out."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.roles import Role
from tongban.accounts.services import grant_role
from tongban.catalog.models import FormField, Material, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
CERTIFICATE = {"certificate_number": "QY20250801", "birthplace": "河北省保定市", "native_place": "河北保定",
               "previous_address": "河北省保定市莲池区某街 1 号", "issuing_authority": "保定市公安局莲池分局",
               "issue_date": "2025-08-01"}


def png(name="certificate.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_service(code, name, prefix, effect, unit, fields, *, materials=(), steps=True):
    item = ServiceItem.objects.create(code=code, name=name, category="集体户口", org_unit=unit, serial_prefix=prefix,
                                      audience=["student", "staff"], ways=["online"], needs_acceptance=False,
                                      promised_days=3, statutory_days=20, effect=effect)
    for order, (key, label, kind) in enumerate(fields, start=1):
        FormField.objects.create(item=item, order=order, key=key, label=label, type=kind,
                                 prefill="name" if key == "name" else "")
    for order, (key, name_, required) in enumerate(materials, start=1):
        Material.objects.create(item=item, order=order, key=key, name=name_, required=required,
                                file_types="jpg,png,pdf")
    if steps:
        Step.objects.create(item=item, stage=1, key="security", name="保卫处审核", role=Role.OFFICER,
                            unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=3)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def household(world):
    """The four services, and the officer also holding the role in 保卫处 itself (work
    goes to the holders of the step's role in exactly its unit)."""
    grant_role(actor=None, user=world.officer, role=Role.OFFICER, org_unit=world.security)
    text = "text"
    move_in = make_service("hukou-move-in", "新生集体户口迁入", "RH", "hukou.move_in", world.security,
                       [("name", "姓名", text), *[(k, k, "date" if k == "issue_date" else text) for k in CERTIFICATE]],
                       materials=[("certificate_photo", "户口迁移证照片", True)])
    waiver = make_service("hukou-waiver", "不落户确认", "BL", "hukou.waive", world.security,
                      [("agreement_version", "承诺书版本", "number"), ("agree", "同意", "yesno")], steps=False)
    store = make_service("hukou-storage", "毕业生户口暂存", "ZC", "hukou.store", world.security,
                     [("months", "暂存月数", "number")])
    move_out = make_service("hukou-move-out", "集体户口迁出", "QC", "hukou.move_out", world.security,
                        [("destination", "迁往地址", "address"), ("authority", "迁入地公安机关", text)],
                        materials=[("admission", "接收函", False)])
    return SimpleNamespace(move_in=move_in, waiver=waiver, store=store, move_out=move_out)


@pytest.fixture
def apply(world):
    """`apply(service, user=applicant, photo=True, **answers)`: a submitted case."""
    from tongban.cases import services
    from tongban.cases.uploads import attach

    def _apply(service, user=None, photo=True, **answers):
        user = user or world.applicant
        case = services.start_application(actor=user, item=service)
        services.save_draft(actor=user, case=case, answers=answers)
        if photo and service.code == "hukou-move-in":
            attach(actor=user, case=case, material_key="certificate_photo", upload=png())
        return services.submit(actor=user, case=case)

    return _apply


@pytest.fixture
def approve(world):
    """`approve(case)`: the security office approves the case's open step."""
    from tongban.cases import services
    from tongban.cases.models import WorkItem

    def _approve(case, outcome=WorkItem.Outcome.APPROVE, comment=""):
        item = WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)
        return services.decide(actor=world.officer, item=item, outcome=outcome, comment=comment or "同意")

    return _approve


@pytest.fixture
def graduate(world):
    """`graduate(person=applicant, on=today)`: the office records the person's
    graduation date (an audited correction), making them a graduate for storage."""
    import datetime as dt

    from django.utils import timezone

    from tongban.hukou import services
    from tongban.hukou.models import HouseholdRecord

    def _graduate(person=None, on: dt.date | None = None):
        rec = HouseholdRecord.objects.get(person=person or world.applicant_person)
        return services.correct(actor=world.officer, rec=rec, status=rec.status, reason="教务处毕业名单",
                                graduation_date=(on or timezone.localdate()).isoformat())

    return _graduate
