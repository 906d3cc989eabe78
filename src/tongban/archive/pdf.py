"""Rendering documents (agreements, notices, certificates) as A4 PDFs in Chinese.

Callers describe a document as data (`Document` and its blocks) and get bytes back;
nothing here knows what the document is for. Text is set in the CID font
`STSong-Light`, one of the Adobe Asian fonts every conforming reader ships, so no font
file is embedded or kept in the repository.

The seals that may later be applied (see `services.seal_pdf`) land in a band at the
bottom right of the last page; `render` keeps that band free when asked, and
`seal_box` says where the n-th seal goes on any page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import segno
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import Paragraph as RLParagraph

FONT = "STSong-Light"
MARGIN = 20 * mm
BOTTOM_MARGIN = 25 * mm  # room for the footer line under the frame
# One seal's box, and the gap between seals stacked side by side.
SEAL_WIDTH = 150.0
SEAL_HEIGHT = 120.0
SEAL_GAP = 8.0

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class KeyValueTable:
    """Two columns: a label and its value, one row each (姓名 | 张三)."""

    rows: Sequence[tuple[str, str]]


Block = Paragraph | Heading | KeyValueTable


@dataclass(frozen=True)
class Document:
    title: str
    blocks: Sequence[Block] = field(default_factory=tuple)
    subtitle: str = ""
    # One line at the foot of every page, e.g. "编号 HK-2025-000123 · 验证码 7F3KQ2".
    footer: str = ""
    # Keep the band at the bottom right of the last page free for seals.
    seal_space: bool = True
    # A verification link printed as a QR code at the top right of the first page
    # (with the document number under it), for anyone holding the paper.
    qr_url: str = ""
    qr_label: str = ""


_STYLES = {
    "title": ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=TA_CENTER,
                            spaceAfter=4, wordWrap="CJK"),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=11, leading=16, alignment=TA_CENTER,
                               textColor=colors.HexColor("#555555"), spaceAfter=10, wordWrap="CJK"),
    "heading": ParagraphStyle("heading", fontName=FONT, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4,
                              wordWrap="CJK"),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=11, leading=19, firstLineIndent=22, spaceAfter=6,
                           wordWrap="CJK"),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK"),
}


def _markup(text: str) -> str:
    """`text` as Paragraph mini-markup: literal, whatever it contains (a name with `<`
    or `&` is shown as typed, never read as a tag); line breaks kept."""
    return escape(text).replace("\n", "<br/>")


def _para(text: str, style: str) -> RLParagraph:
    return RLParagraph(_markup(text), _STYLES[style])


class _SealSpace(Flowable):
    """Empty space as tall as a seal, last in the story: it either fits below the
    content on the last page (so the band above the bottom margin stays empty) or
    moves to a page of its own. Not a Spacer: frames may drop spacers at a page top."""

    def wrap(self, available_width, available_height):
        return available_width, SEAL_HEIGHT

    def draw(self):
        pass


def _story(doc: Document) -> list[Flowable]:
    story: list[Flowable] = [_para(doc.title, "title")]
    if doc.subtitle:
        story.append(_para(doc.subtitle, "subtitle"))
    story.append(Spacer(1, 6))
    width = A4[0] - 2 * MARGIN
    for block in doc.blocks:
        if isinstance(block, Heading):
            story.append(_para(block.text, "heading"))
        elif isinstance(block, Paragraph):
            story.append(_para(block.text, "body"))
        elif isinstance(block, KeyValueTable):
            if not block.rows:
                continue
            rows = [[_para(key, "cell"), _para(value, "cell")] for key, value in block.rows]
            table = Table(rows, colWidths=[width * 0.28, width * 0.72], hAlign="LEFT")
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]))
            story += [table, Spacer(1, 8)]
        else:
            raise TypeError(f"not a document block: {block!r}")
    if doc.seal_space:
        story.append(_SealSpace())
    return story


QR_SIZE = 22 * mm


def _draw_qr(canvas, url: str, label: str) -> None:
    """`url` as a QR code (error correction M) in the top right corner, drawn module by
    module so no image is embedded."""
    matrix = segno.make_qr(url, error="m").matrix
    modules = len(matrix)
    cell = QR_SIZE / modules
    x0, y0 = A4[0] - MARGIN - QR_SIZE, A4[1] - MARGIN + 2 * mm - QR_SIZE
    canvas.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x0 + c * cell, y0 + (modules - 1 - r) * cell, cell, cell, stroke=0, fill=1)
    if label:
        canvas.setFont(FONT, 7)
        canvas.drawCentredString(x0 + QR_SIZE / 2, y0 - 3 * mm, label)


def render(doc: Document) -> bytes:
    """The document as an A4 PDF."""

    def on_first_page(canvas, template):
        on_page(canvas, template)
        if doc.qr_url:
            canvas.saveState()
            _draw_qr(canvas, doc.qr_url, doc.qr_label)
            canvas.restoreState()

    def on_page(canvas, template):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.setFillColor(colors.HexColor("#555555"))
        y = BOTTOM_MARGIN - 12 * mm
        if doc.footer:
            canvas.drawString(MARGIN, y, doc.footer)
        canvas.drawRightString(A4[0] - MARGIN, y, _("Page %(page)s") % {"page": template.page})
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=BOTTOM_MARGIN,
        title=doc.title, subject=doc.subtitle, creator="通办", author="通办")  # i18n: data
    template.build(_story(doc), onFirstPage=on_first_page, onLaterPages=on_page)
    return out.getvalue()


def seal_box(index: int, page_width: float) -> tuple[float, float, float, float]:
    """Where the `index`-th seal (from 0) goes on a page `page_width` wide, as
    (x1, y1, x2, y2) from the bottom left: right to left along the band above the
    bottom margin, then on upwards in rows when a row is full."""
    per_row = max(1, int((page_width - 2 * MARGIN + SEAL_GAP) // (SEAL_WIDTH + SEAL_GAP)))
    row, column = divmod(index, per_row)
    x2 = page_width - MARGIN - column * (SEAL_WIDTH + SEAL_GAP)
    y1 = BOTTOM_MARGIN + row * (SEAL_HEIGHT + SEAL_GAP)
    return x2 - SEAL_WIDTH, y1, x2, y1 + SEAL_HEIGHT
