"""Uploaded materials: the type comes from the content, not the name; size and count
limits; a generated stored name with the content's SHA-256; downloads only as
attachments and only to whoever may see the case; no uploads once the case is in
approval except for a material awaiting supplement."""

import hashlib
import io
import os
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import services
from tongban.cases.models import Attachment, Case
from tongban.cases.tests.conftest import JPEG, PDF, PNG, pdf
from tongban.cases.uploads import attach, sniff
from tongban.catalog.models import Material
from tongban.catalog.services import publish
from tongban.lib.errors import ApplicationError, StateConflict

pytestmark = pytest.mark.django_db


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip("word/document.xml")
XLSX = _zip("xl/workbook.xml")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def service(certificate_service):
    """The certificate service with a photo (images only, one file), a Word form and
    an Excel transcript."""
    item = certificate_service
    Material.objects.create(item=item, order=3, key="photo", name="证件照", file_types="jpg,png", max_files=1,
                            required=False, core=False)
    Material.objects.create(item=item, order=4, key="form", name="申请表", file_types="docx", required=False)
    Material.objects.create(item=item, order=5, key="transcript", name="成绩单", file_types="xlsx",
                            required=False)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def draft(world, service):
    return services.start_application(actor=world.applicant, item=service)


@pytest.mark.parametrize(("content", "kind"), [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpg"), (DOCX, "docx"), (XLSX, "xlsx"), (OLE2, "doc"),
    (b"PK\x03\x04 not really a zip", None), (_zip("other.xml"), None), (b"just some text", None), (b"", None),
])
def test_the_type_is_read_from_the_first_bytes(content, kind):
    upload = _file("whatever.bin", content)
    assert sniff(upload) == kind
    assert upload.tell() == 0  # left ready to be read from the start


def test_a_pdf_named_jpg_is_stored_as_a_pdf_where_pdf_is_allowed(world, draft):
    stored = attach(actor=world.applicant, case=draft, material_key="statement", upload=pdf("scan.jpg"))
    assert (stored.original_name, stored.content_type) == ("scan.jpg", "application/pdf")
    assert stored.file.name.endswith(".pdf")


def test_a_pdf_named_jpg_is_refused_where_only_images_are_allowed(world, draft):
    with pytest.raises(ApplicationError) as caught:
        attach(actor=world.applicant, case=draft, material_key="photo", upload=pdf("photo.jpg"))
    assert (caught.value.code, caught.value.field) == ("bad_type", "photo")
    assert caught.value.message == "证件照：只接受 JPG 图片、PNG 图片 文件（按文件内容识别）"
    assert not Attachment.objects.exists()


def test_a_text_file_renamed_pdf_is_refused_naming_the_material(world, draft):
    with pytest.raises(ApplicationError) as caught:
        attach(actor=world.applicant, case=draft, material_key="statement",
               upload=_file("statement.pdf", b"I lost my certificate.\n"))
    assert (caught.value.code, caught.value.field) == ("bad_type", "statement")
    assert caught.value.message == "遗失声明：只接受 JPG 图片、PDF、PNG 图片 文件（按文件内容识别）"
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("material", "name", "content", "content_type"), [
    ("photo", "me.png", PNG, "image/png"),
    ("photo", "me.jpeg", JPEG, "image/jpeg"),
    ("form", "申请表.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("transcript", "成绩单.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_images_and_office_files_are_recognised_by_their_content(world, draft, material, name, content,
                                                                 content_type):
    stored = attach(actor=world.applicant, case=draft, material_key=material, upload=_file(name, content))
    assert (stored.content_type, stored.size) == (content_type, len(content))
    with stored.file.open("rb") as f:
        assert f.read() == content


@pytest.mark.parametrize(("material", "content"), [("form", XLSX), ("transcript", DOCX), ("photo", DOCX)])
def test_an_office_file_of_the_other_kind_is_refused(world, draft, material, content):
    with pytest.raises(ApplicationError) as caught:
        attach(actor=world.applicant, case=draft, material_key=material, upload=_file("file.docx", content))
    assert caught.value.code == "bad_type"


def test_a_file_over_the_size_limit_is_refused(world, draft, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    big = _file("big.pdf", PDF + b"0" * (2 * 1024 * 1024))
    with pytest.raises(ApplicationError) as caught:
        attach(actor=world.applicant, case=draft, material_key="statement", upload=big)
    assert (caught.value.code, caught.value.message) == ("too_large", "遗失声明：文件不能超过 2 MB")
    assert not Attachment.objects.exists()


def test_more_files_than_the_material_allows_are_refused(world, draft):
    attach(actor=world.applicant, case=draft, material_key="photo", upload=_file("a.png", PNG))
    with pytest.raises(ApplicationError) as caught:
        attach(actor=world.applicant, case=draft, material_key="photo", upload=_file("b.png", PNG))
    assert (caught.value.code, caught.value.message) == ("too_many", "证件照最多上传 1 个文件")
    assert Attachment.objects.filter(material_key="photo").count() == 1


def test_an_unknown_material_is_refused(world, draft):
    with pytest.raises(ApplicationError) as caught:
        attach(actor=world.applicant, case=draft, material_key="passport", upload=pdf())
    assert caught.value.code == "unknown_material"


def test_the_stored_name_is_generated_and_the_sha256_is_that_of_the_content(world, draft):
    stored = attach(actor=world.applicant, case=draft, material_key="statement", upload=pdf("我的声明.pdf"))
    assert re.fullmatch(r"cases/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", stored.file.name)
    assert stored.original_name == "我的声明.pdf"
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.uploaded_by == world.applicant


def test_someone_else_cannot_upload_to_the_case(world, draft):
    from tongban.lib.errors import NotAllowed

    with pytest.raises(NotAllowed):
        attach(actor=world.college_admin, case=draft, material_key="statement", upload=pdf())


def _downloaded(answer) -> bytes:
    return b"".join(answer.streaming_content)


def test_the_applicant_downloads_the_file_as_an_attachment_with_nosniff(world, draft, login):
    stored = attach(actor=world.applicant, case=draft, material_key="statement", upload=pdf("声明.pdf"))
    answer = login(world.applicant).get(f"/cases/{draft.pk}/files/{stored.pk}/")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%A3%B0%E6%98%8E.pdf" in answer["Content-Disposition"]
    assert (answer["Content-Type"], answer["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert _downloaded(answer) == PDF


def test_a_file_missing_from_storage_is_not_found_not_a_server_error(world, draft, login):
    stored = attach(actor=world.applicant, case=draft, material_key="statement", upload=pdf())
    stored.file.delete(save=False)
    assert login(world.applicant).get(f"/cases/{draft.pk}/files/{stored.pk}/").status_code == 404


def test_staff_who_see_the_case_download_the_file_as_an_attachment(world, service, submitted, login):
    case = submitted(service)
    stored = case.attachments.get()
    answer = login(world.college_admin).get(f"/workbench/cases/{case.pk}/files/{stored.pk}/")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="proof.pdf"'
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert _downloaded(answer) == PDF


def test_an_outsider_gets_404_for_someone_elses_file(world, service, submitted, login):
    case = submitted(service)
    stored = case.attachments.get()
    assert login(world.outsider).get(f"/cases/{case.pk}/files/{stored.pk}/").status_code == 404


def test_staff_who_cannot_see_the_case_get_404_for_its_file(world, service, submitted, login):
    case = submitted(service)
    stored = case.attachments.get()
    assert login(world.clerk).get(f"/workbench/cases/{case.pk}/files/{stored.pk}/").status_code == 404


def test_a_file_of_another_case_is_not_served_through_ones_own(world, service, submitted, draft, login):
    other = submitted(service)
    stored = other.attachments.get()
    Case.objects.filter(pk=other.pk).update(applicant=world.college_admin)
    assert login(world.applicant).get(f"/cases/{draft.pk}/files/{stored.pk}/").status_code == 404


def test_uploads_are_refused_in_approval_unless_the_material_awaits_supplement(world, service, submitted):
    case = submitted(service)
    assert case.status == "in_approval"
    with pytest.raises(StateConflict) as caught:
        attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    assert (caught.value.code, caught.value.status) == ("not_editable", 409)
    with pytest.raises(StateConflict):
        attach(actor=world.applicant, case=case, material_key="photo", upload=_file("p.png", PNG))
    Case.objects.filter(pk=case.pk).update(deficiencies=["photo"])
    case.refresh_from_db()
    stored = attach(actor=world.applicant, case=case, material_key="photo", upload=_file("p.png", PNG))
    assert stored.content_type == "image/png"
    assert case.attachments.count() == 2


def test_the_applicant_removes_a_file_from_a_draft_and_it_leaves_the_disk(world, draft, login,
                                                                           django_capture_on_commit_callbacks):
    stored = attach(actor=world.applicant, case=draft, material_key="statement", upload=pdf())
    path = stored.file.path
    with django_capture_on_commit_callbacks(execute=True):
        answer = login(world.applicant).post(f"/cases/{draft.pk}/files/{stored.pk}/remove/")
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{draft.pk}/edit/")
    assert not Attachment.objects.filter(pk=stored.pk).exists()
    assert not os.path.exists(path)


def test_a_file_cannot_be_removed_once_submitted(world, service, submitted, login):
    case = submitted(service)
    stored = case.attachments.get()
    login(world.applicant).post(f"/cases/{case.pk}/files/{stored.pk}/remove/")
    assert Attachment.objects.filter(pk=stored.pk).exists()


@pytest.mark.parametrize(("uploaded", "content", "downloaded"), [
    ("x.html", PNG, 'filename="x.png"'),  # the probe's case: a page by its name, a PNG by its content
    ("x.png.html", PNG, 'filename="x.png.png"'),
    ("x", PNG, 'filename="x.png"'),
    (".html", PNG, "filename*=utf-8''%E6%9D%90%E6%96%99.png"),  # 材料.png
    ("photo.JPEG", JPEG, 'filename="photo.JPEG"'),  # a name the content agrees with is kept
    ("photo.png", JPEG, 'filename="photo.jpg"'),
])
def test_a_download_is_named_with_the_extension_of_the_type_its_content_was_found_to_be(
        world, draft, login, uploaded, content, downloaded):
    stored = attach(actor=world.applicant, case=draft, material_key="photo", upload=_file(uploaded, content))
    answer = login(world.applicant).get(f"/cases/{draft.pk}/files/{stored.pk}/")
    assert answer["Content-Disposition"] == f"attachment; {downloaded}"


def test_staff_download_a_png_uploaded_as_html_as_a_png(world, service, submitted, login):
    case = submitted(service)
    Case.objects.filter(pk=case.pk).update(deficiencies=["photo"])
    case.refresh_from_db()
    stored = attach(actor=world.applicant, case=case, material_key="photo", upload=_file("x.html", PNG))
    answer = login(world.college_admin).get(f"/workbench/cases/{case.pk}/files/{stored.pk}/")
    assert (answer["Content-Disposition"], answer["Content-Type"]) == ('attachment; filename="x.png"', "image/png")


def test_an_old_word_file_named_xls_keeps_its_name_and_one_named_html_becomes_doc(world, certificate_service,
                                                                                  login):
    Material.objects.create(item=certificate_service, order=3, key="old", name="旧版表格", file_types="doc,xls",
                            required=False, core=False, max_files=2)
    publish(actor=None, item=certificate_service)
    certificate_service.refresh_from_db()
    case = services.start_application(actor=world.applicant, item=certificate_service)
    sheet = attach(actor=world.applicant, case=case, material_key="old", upload=_file("成绩.xls", OLE2))
    page = attach(actor=world.applicant, case=case, material_key="old", upload=_file("a.html", OLE2))
    client = login(world.applicant)
    assert client.get(f"/cases/{case.pk}/files/{sheet.pk}/")["Content-Disposition"].endswith(".xls")
    assert client.get(f"/cases/{case.pk}/files/{page.pk}/")["Content-Disposition"] == 'attachment; filename="a.doc"'


def test_a_file_cannot_be_removed_by_a_page_read_before_the_case_was_submitted(world, service, login):
    case = services.start_application(actor=world.applicant, item=service)
    services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    stored = attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    read_before = Attachment.objects.select_related("case").get(pk=stored.pk)  # the page's read: a draft
    services.submit(actor=world.applicant, case=case)

    from tongban.cases.uploads import remove

    with pytest.raises(StateConflict) as caught:
        remove(actor=world.applicant, attachment=read_before)
    assert caught.value.code == "not_editable"
    assert Attachment.objects.filter(pk=stored.pk).exists()


def test_removing_a_file_a_second_tab_removed_already_is_refused_and_leaves_no_entry(world, draft):
    from tongban.audit.models import AuditEntry
    from tongban.cases.uploads import remove

    stored = attach(actor=world.applicant, case=draft, material_key="statement", upload=pdf())
    first, second = (Attachment.objects.select_related("case").get(pk=stored.pk) for _ in range(2))
    remove(actor=world.applicant, attachment=first)
    with pytest.raises(StateConflict) as caught:
        remove(actor=world.applicant, attachment=second)
    assert caught.value.code == "removed"
    assert AuditEntry.objects.filter(action="case.detach").count() == 1
