"""Sealed documents kept by the archive, and the public page's one verdict: a valid
file, a byte changed after signing, no seal, a seal of a key not from our CA or of a
revoked key; the number printed on the paper (and in its QR code) looked up; garbage."""

import hashlib
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tongban.archive import seals
from tongban.archive.models import SealedDocument, SealKey
from tongban.archive.pdf import Document, Paragraph, render
from tongban.archive.selectors import verify_upload
from tongban.archive.services import (
    issue_document,
    revoke_seal_key,
    seal_document,
    seal_key_for,
    start_document,
    verification_url,
)
from tongban.archive.tests.pdftext import text_of
from tongban.archive.tests.test_verify import _foreign_self_signed
from tongban.audit.models import AuditEntry
from tongban.conftest import at_once, failures
from tongban.lib.crypto import decrypt
from tongban.lib.errors import StateConflict

pytestmark = pytest.mark.django_db

URL = "/archive/verify/"
NUMBER = "HK-2026-000001-JG"


def upload(data: bytes, name: str = "文书.pdf") -> dict:
    return {"pdf": SimpleUploadedFile(name, data, content_type="application/pdf")}


@pytest.fixture
def document(world):
    pdf = render(Document(title="户口迁入办结通知书", blocks=[Paragraph("准予迁入。")],
                          qr_url=verification_url(NUMBER), qr_label=NUMBER))
    return start_document(actor=world.clerk, number=NUMBER, kind=SealedDocument.Kind.RESULT,
                          title="户口迁入办结通知书", holder_name="李同学", subject=world.applicant_person, pdf=pdf)


@pytest.fixture
def three_levels(world, document):
    """Station, branch, city: each level sealed by its officer, one after the other."""
    for unit, officer, level in ((world.east_1, world.clerk, "派出所初审"), (world.east, world.approver, "分局审核"),
                                 (world.city, world.approver, "市局审批")):
        document = seal_document(actor=officer, document=document, unit=unit, level=level, signer=officer)
    return issue_document(actor=world.approver, document=document)


def test_each_level_is_its_own_signature_added_incrementally_and_each_validates(world, three_levels):
    result = verify_upload(bytes(three_levels.pdf))

    assert result.verdict == "有效"
    assert [(s.check.unit_name, s.check.signer_name, s.level, s.check.ok) for s in result.seals] == [
        ("东门派出所", "clerk", "派出所初审", True), ("东城分局", "approver", "分局审核", True),
        ("示例市公安局", "approver", "市局审批", True)]
    assert [s.check.covers_whole_file for s in result.seals] == [False, False, True]
    assert result.document == three_levels and result.current
    # each seal's file is a prefix of the next: added, never rewritten
    stored = [s.sha256 for s in three_levels.seals.all()]
    assert stored[-1] == hashlib.sha256(bytes(three_levels.pdf)).hexdigest() == three_levels.sha256
    assert AuditEntry.objects.filter(action="archive.sealed", details__document=NUMBER).count() == 3


def test_an_issued_document_takes_no_more_seals(world, three_levels):
    with pytest.raises(StateConflict) as refused, transaction.atomic():
        seal_document(actor=world.approver, document=three_levels, unit=world.city, level="再盖", signer=world.approver)

    assert refused.value.code == "document_closed"
    assert three_levels.seals.count() == 3


def test_a_document_without_a_seal_cannot_be_issued(world, document):
    with pytest.raises(StateConflict) as refused, transaction.atomic():
        issue_document(actor=world.approver, document=document)

    assert refused.value.code == "document_unsealed"


def test_the_page_gives_one_verdict_first_then_each_signature(client, three_levels):
    response = client.post(URL, upload(bytes(three_levels.pdf)))

    assert response.status_code == 200
    text = response.text
    assert text.index("<strong>有效</strong>") < text.index("派出所初审") < text.index("分局审核")
    assert "clerk" in text and "东门派出所" in text and NUMBER in text


def test_a_byte_changed_after_signing_reads_file_changed(client, world, three_levels):
    pdf = bytes(three_levels.pdf)
    at = pdf.index(b"ReportLab PDF Library")

    response = client.post(URL, upload(pdf[:at] + b"X" + pdf[at + 1:]))

    assert response.status_code == 200
    assert response.context["result"].verdict == "文件已被改动"
    assert "<strong>文件已被改动</strong>" in response.text
    assert "改动后的内容不受签章保护" in response.text


def test_a_pdf_with_no_signature_reads_unsealed(client, document):
    response = client.post(URL, upload(bytes(document.pdf)))

    assert response.status_code == 200
    assert response.context["result"].verdict == "无签章"
    assert "<strong>无签章</strong>" in response.text


def test_a_signature_by_a_key_not_from_our_ca_reads_signer_untrusted(client, world, three_levels):
    cert_pem, key_pem = _foreign_self_signed()
    forged = seals.sign(render(Document(title="伪造", blocks=[Paragraph("准予迁入。")])), certificate_pem=cert_pem,
                        private_key_pem=key_pem, authority_pem=cert_pem, unit_name="保卫处", reason="伪造")

    response = client.post(URL, upload(forged))

    assert response.context["result"].verdict == "签章者不可信"
    assert "证书非本平台签发" in response.text


def test_a_seal_made_with_a_revoked_key_reads_signer_untrusted(client, world, sysadmin_of_city, document):
    key = SealKey.objects.select_related("authority").get(
        pk=seal_document(actor=world.clerk, document=document, unit=world.east_1, level="初审",
                         signer=world.clerk).seals.get().org_unit.seal_keys.get().pk)
    stolen = decrypt(key.private_key_encrypted)
    revoke_seal_key(actor=sysadmin_of_city, key=key, reason="密钥遗失")
    # whoever holds the lost key seals a fresh file with it
    forged = seals.sign(render(Document(title="伪造", blocks=[Paragraph("准予迁入。")])),
                        certificate_pem=key.certificate_pem, private_key_pem=stolen,
                        authority_pem=key.authority.certificate_pem, unit_name=key.subject, reason="伪造")

    response = client.post(URL, upload(forged))

    assert response.context["result"].verdict == "签章者不可信"
    assert "吊销" in response.text


def test_the_qr_code_and_the_printed_number_lead_to_what_the_archive_holds(client, three_levels):
    assert NUMBER in text_of(bytes(three_levels.pdf))  # printed under the QR code
    url = verification_url(NUMBER)
    assert url.endswith(f"/archive/verify/?number={NUMBER}")

    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}")

    assert response.status_code == 200
    text = response.text
    assert "档案记录：" + NUMBER in text and "已签发" in text
    assert "李**" in text and "李同学" not in text
    assert text.count("示例市公安局") == 1 and "市局审批" in text
    assert three_levels.sha256 in text


def test_a_number_typed_in_lower_case_with_spaces_is_found(client, three_levels):
    response = client.get(URL, {"number": " hk-2026-000001-jg "})

    assert response.status_code == 200
    assert "档案记录：" + NUMBER in response.text


def test_an_unknown_number_says_the_archive_holds_none(client, three_levels):
    response = client.get(URL, {"number": "HK-2026-999999-JG"})

    assert response.status_code == 200
    assert "档案中没有编号为「HK-2026-999999-JG」的文书" in response.text


@pytest.mark.parametrize("number", ["<script>", "A" * 49, "编号", "'; DROP TABLE x; --", ""])
def test_a_garbage_number_is_answered_with_a_message(client, number):
    response = client.get(URL, {"number": number})

    assert response.status_code == 400
    assert "文书编号" in response.text or "请输入" in response.text
    assert "<script>" not in response.text.split("</form>")[-1]


def test_an_empty_upload_is_answered_with_a_message(client):
    response = client.post(URL, upload(b"", "empty.pdf"))

    assert response.status_code == 400
    assert "上传的文件是空的" in response.text


def test_a_huge_upload_is_refused_with_a_message(client, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 64 * 1024

    response = client.post(URL, upload(b"%PDF-1.7\n" + b"0" * (65 * 1024)))

    assert response.status_code == 400
    assert "文件过大，不能超过" in response.text


def test_a_forged_upload_field_name_is_asked_again(client):
    response = client.post(URL, {"pdf": "not a file at all"})

    assert response.status_code == 400
    assert "请选择要核验的 PDF 文件" in response.text


@pytest.fixture
def sysadmin_of_city(world):
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user, grant_role

    user = create_user(actor=None, username="city_admin", password="x-long-password", display_name="市局管理员")
    grant_role(actor=None, user=user, role=Role.SYSADMIN, org_unit=world.city)
    return user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_levels_sealed_at_once_on_one_document_both_land_and_both_validate(world, document, on_postgres):
    """Each seal locks the document's row: the second reads the file the first wrote
    and adds to it, rather than both adding to the same file and one being lost."""
    if not on_postgres:
        pytest.skip("a race needs PostgreSQL")
    units, officers = [world.east_1, world.east], [world.clerk, world.approver]
    for unit in units:
        seal_key_for(actor=None, unit=unit)  # the keys exist: the race is on the document alone

    outcomes = at_once(2, lambda n: seal_document(actor=officers[n], document=document, unit=units[n],
                                                  level=f"第{n + 1}级", signer=officers[n]).pk)

    assert not failures(outcomes), outcomes
    document.refresh_from_db()
    assert sorted(document.seals.values_list("position", flat=True)) == [1, 2]
    result = verify_upload(bytes(document.pdf))
    assert result.verdict == "有效" and result.current
    assert sorted(s.check.signer_name for s in result.seals) == ["approver", "clerk"]
