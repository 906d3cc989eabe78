"""A small service to apply for, built through the catalog's own models and published
with its service: a certificate-loss proof, college → academic affairs → print."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Role
from tongban.accounts.services import create_org_unit, create_user, grant_role
from tongban.catalog.models import FormField, Material, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def said_at(answer, field_id: str) -> list[str]:
    """The messages a page shows at the field whose input has the id `field_id` (Django's
    errorlist `<id>_error`, which the input names in aria-describedby)."""
    found = re.search(rf'<ul class="errorlist[^"]*" id="{field_id}_error">(.*?)</ul>', answer.content.decode(), re.S)
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", found.group(1))] if found else []


@pytest.fixture
def academic(world):
    unit = create_org_unit(actor=None, code="univ-academic", name="教务处", kind=OrgUnit.Kind.OFFICE,
                           parent=world.univ)
    approver = create_user(actor=None, username="academic_approver", password="x-long-password",
                           display_name="教务处审批人")
    grant_role(actor=None, user=approver, role=Role.APPROVER, org_unit=unit)
    clerk = create_user(actor=None, username="academic_clerk", password="x-long-password", display_name="教务处窗口")
    grant_role(actor=None, user=clerk, role=Role.CLERK, org_unit=unit)
    return type("Academic", (), {"unit": unit, "approver": approver, "clerk": clerk})


@pytest.fixture
def certificate_service(world, academic):
    item = ServiceItem.objects.create(
        code="degree-loss", name="学士学位证书遗失证明", category="教务", org_unit=academic.unit,
        serial_prefix="XW", audience=["student", "alumnus"], ways=["online"], needs_acceptance=False,
        promised_days=5, statutory_days=20)
    FormField.objects.create(item=item, order=1, key="name", label="姓名", prefill="name")
    FormField.objects.create(item=item, order=2, key="id_number", label="身份证号", type="id_number",
                             prefill="id_number")
    FormField.objects.create(item=item, order=3, key="year", label="毕业年份", type="number")
    FormField.objects.create(item=item, order=4, key="reported", label="是否已登报声明", type="yesno")
    FormField.objects.create(item=item, order=5, key="newspaper", label="登报报纸名称", required=True,
                             visible_if='reported == "是"')
    Material.objects.create(item=item, order=1, key="statement", name="遗失声明", core=True)
    Material.objects.create(item=item, order=2, key="clipping", name="登报剪报", core=False,
                            condition='reported == "是"')
    Step.objects.create(item=item, stage=1, key="college", name="学院审核", role=Role.COLLEGE_ADMIN,
                        unit_rule=UnitRule.APPLICANT_UNIT, time_limit_days=2)
    Step.objects.create(item=item, stage=2, key="academic", name="教务处审批", role=Role.APPROVER,
                        unit_rule=UnitRule.SERVICE_UNIT, needs_signature=False, time_limit_days=3)
    Step.objects.create(item=item, stage=3, key="print", name="打印证明", role=Role.CLERK,
                        unit_rule=UnitRule.SAME_AS_PREVIOUS, time_limit_days=1)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def submitted(world):
    """`submitted(service, **answers)`: the applicant's case for the certificate
    service, answered, its core material attached and submitted."""
    from tongban.cases import services
    from tongban.cases.uploads import attach

    def _submitted(service, **answers):
        case = services.start_application(actor=world.applicant, item=service)
        services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否", **answers})
        attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
        return services.submit(actor=world.applicant, case=case)

    return _submitted


@pytest.fixture
def station(world):
    """An officer of 东门派出所 who approves what its window accepts."""
    officer = create_user(actor=None, username="station_officer", password="x-long-password",
                          display_name="所内民警")
    grant_role(actor=None, user=officer, role=Role.OFFICER, org_unit=world.east_1)
    return type("Station", (), {"officer": officer})


@pytest.fixture
def residence_service(world, station):
    """A police-station service that the window accepts first (受理), possibly with a
    non-core material missing (容缺): station review, then the branch's approval."""
    item = ServiceItem.objects.create(
        code="residence-proof", name="居住证明", category="户政", org_unit=world.east_1, serial_prefix="JZ",
        needs_acceptance=True, promised_days=5, statutory_days=20)
    FormField.objects.create(item=item, order=1, key="name", label="姓名", prefill="name")
    FormField.objects.create(item=item, order=2, key="address", label="居住地址", type="address")
    Material.objects.create(item=item, order=1, key="form", name="申请表", core=True)
    Material.objects.create(item=item, order=2, key="photo", name="近期照片", core=False, file_types="jpg,png")
    Material.objects.create(item=item, order=3, key="lease", name="租房合同", core=False)
    Step.objects.create(item=item, stage=1, key="review", name="所内审核", role=Role.OFFICER,
                        unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=2)
    Step.objects.create(item=item, stage=2, key="approve", name="分局审批", role=Role.APPROVER,
                        unit_rule=UnitRule.PARENT_OF_PREVIOUS, time_limit_days=3)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item
