from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader

from tongban.archive.pdf import Document, KeyValueTable, Paragraph, render
from tongban.archive.tests.pdftext import text_of


def test_a_rendered_document_opens_and_shows_its_title(agreement):
    reader = PdfFileReader(BytesIO(agreement))

    assert agreement.startswith(b"%PDF-")
    assert int(reader.root["/Pages"]["/Count"]) == 1
    assert reader.trailer["/Info"]["/Title"] == "放弃户口迁移协议"
    text = text_of(agreement)
    assert "放弃户口迁移协议" in text
    assert "李同学" in text
    assert "编号 FQ-2025-000001 · 验证码 7F3KQ2" in text


def test_markup_in_text_is_shown_as_typed_not_obeyed():
    name = '张<b>三</b> & <font color="red">李</font>'
    pdf = render(Document(title="通知", blocks=[KeyValueTable([("姓名", name)]), Paragraph("a < b && c")]))

    text = text_of(pdf)
    assert name in text
    assert "a < b && c" in text


def test_a_long_document_runs_on_to_more_pages():
    pdf = render(Document(title="长文书", blocks=[Paragraph("内容" * 200)] * 12))

    assert int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"]) > 1
