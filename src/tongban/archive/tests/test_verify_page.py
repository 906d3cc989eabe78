"""The public verification page: anyone uploads a PDF and reads what its seals say."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.archive.services import seal_pdf

pytestmark = pytest.mark.django_db

URL = "/archive/verify/"


def upload(data: bytes, name: str = "文书.pdf") -> dict:
    return {"pdf": SimpleUploadedFile(name, data, content_type="application/pdf")}


def test_the_url_is_where_the_page_says():
    assert reverse("archive:verify") == URL


def test_anyone_sees_the_form(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert "电子签章核验" in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_a_sealed_document_shows_each_seal_intact_and_trusted(client, world, agreement):
    sealed = seal_pdf(agreement, unit=world.east_1, actor=world.clerk, reason="受理")
    sealed = seal_pdf(sealed, unit=world.east, actor=world.approver, reason="审批")

    response = client.post(URL, upload(sealed))

    assert response.status_code == 200
    result = response.context["result"]
    assert result.verdict == "有效"
    assert [s.check.unit_name for s in result.seals] == ["东门派出所", "东城分局"]
    assert response.text.count('<span class="ok">有效</span>') == 2
    assert "已被改动" not in response.text
    assert "不可信" not in response.text


def test_a_changed_document_shows_as_changed(client, world, agreement):
    sealed = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="放弃迁移协议")
    at = sealed.index(b"ReportLab PDF Library")

    response = client.post(URL, upload(sealed[:at] + b"X" + sealed[at + 1:]))

    assert response.status_code == 200
    assert "已被改动" in response.text


def test_something_appended_after_the_last_seal_is_pointed_out(client, world, agreement):
    sealed = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="放弃迁移协议")

    response = client.post(URL, upload(sealed + b"\n% later\n"))

    assert response.status_code == 200
    assert response.context["result"].verdict == "文件已被改动"
    assert "其后文件又被追加或改动" in response.text


def test_a_document_without_seals_says_so(client, agreement):
    response = client.post(URL, upload(agreement))

    assert response.status_code == 200
    assert "没有电子签章" in response.text


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a not a pdf at all", "上传的文件不是 PDF"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 8, "无法读取该 PDF 文件"),
])
def test_garbage_is_answered_with_a_message_not_an_error_page(client, data, message):
    response = client.post(URL, upload(data, "x.pdf"))

    assert response.status_code == 400
    assert message in response.text


def test_a_post_without_a_file_asks_for_one(client):
    response = client.post(URL, {})

    assert response.status_code == 400
    assert "请选择要核验的 PDF 文件" in response.text


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 1024

    response = client.post(URL, upload(b"%PDF-1.7\n" + b"0" * 2048))

    assert response.status_code == 400
    assert "文件过大" in response.text


def test_markup_in_a_signer_name_is_shown_as_text(client, world, agreement):
    from tongban.accounts.services import create_org_unit

    unit = create_org_unit(actor=None, code="odd", name="<b>奇怪</b>单位", kind="other")
    sealed = seal_pdf(agreement, unit=unit, actor=None, reason="测试")

    response = client.post(URL, upload(sealed))

    assert "&lt;b&gt;奇怪&lt;/b&gt;单位" in response.text
    assert "<b>奇怪</b>" not in response.text


def test_one_address_may_check_only_so_many_files(client, monkeypatch):
    from tongban.archive import views

    monkeypatch.setattr(views, "CHECKS_PER_WINDOW", 2)
    for _ in range(2):
        assert client.post("/archive/verify/", {}).status_code == 400  # no file: counted all the same
    refused = client.post("/archive/verify/", {})
    assert refused.status_code == 429 and "核验次数过多" in refused.content.decode()
