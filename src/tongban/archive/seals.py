"""pyHanko mechanics: applying one visible seal to a PDF, and checking the seals on one.

No database here: the services pass key material in and the selectors pass the trust
root in. Each seal is a PAdES signature in its own incremental update, so seals
follow one another on a document without disturbing the ones before. Its visible
stamp is a red round seal with the unit's name (drawn by reportlab in the CID font
used for documents, since pyHanko's own text boxes only set Latin fonts) and, under
it, the signing time as pyHanko writes it into the signature.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import math
import uuid
from binascii import hexlify
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from tongban.archive import pdf as documents
from tongban.lib.errors import ApplicationError

logger = logging.getLogger(__name__)

RED = (0.85, 0.1, 0.1)
# pyHanko formats the signing time with this, and `_SealStampStyle` reads it back to
# show it in the site's time zone.
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_ART_SIZE = 96.0


@dataclass(frozen=True)
class SealCheck:
    """What one seal on a PDF says, as found by `verify_pdf`."""

    field_name: str
    unit_name: str  # the signer certificate's common name
    signed_at: dt.datetime | None
    intact: bool  # the signed bytes are unchanged and the signature matches them
    trusted: bool  # the signer's certificate chains to the internal seal CA
    covers_whole_file: bool  # nothing was appended to the file after this seal
    serial: str = ""  # the signer certificate's serial number, in hex (as SealKey.serial)
    revision_sha256: str = ""  # of the file as it stood right after this seal was applied
    revoked_at: dt.datetime | None = None  # the signer's key was revoked then (set by the selector)
    signer_name: str = ""  # the signature's /Name: the officer whose act applied it
    reason: str = ""  # the signature's /Reason: the level it attests

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted


def _off_loop(fn, *args, **kwargs):
    """`fn(...)`, which calls asyncio.run (pyHanko's sync API does), in a thread of its
    own when this thread already runs an event loop (an async caller, a browser test
    driving the site), where asyncio.run would refuse. No database work inside."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _unreadable(exc: BaseException | None = None) -> ApplicationError:
    if exc is not None:
        logger.info("unreadable PDF: %r", exc)
    return ApplicationError("pdf_unreadable", _("The PDF file cannot be read; it may be damaged or not a PDF."),
                            field="pdf")


def _reader(pdf: bytes) -> PdfFileReader:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise ApplicationError("pdf_not_pdf", _("The uploaded file is not a PDF."), field="pdf")
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        if reader.encrypted:
            raise ApplicationError("pdf_encrypted", _("Encrypted PDF files are not supported."), field="pdf")
        reader.root["/Pages"]  # parse now: a broken file fails here, not later
    except ApplicationError:
        raise
    except Exception as exc:
        # A third-party parser on bytes from anyone: whatever it raises means "not a
        # PDF we can read", which is an answer for the user, not a server error.
        raise _unreadable(exc) from exc
    return reader


# --- sealing ---------------------------------------------------------------------


_CAPTION_LINE = 9.0
_CAPTION_CHARS = 18


def _caption_lines(caption: str) -> list[str]:
    caption = " ".join(caption.split())
    lines = [caption[i:i + _CAPTION_CHARS] for i in range(0, len(caption), _CAPTION_CHARS)]
    if len(lines) > 2:
        lines = [lines[0], lines[1][:-1] + "…"]
    return lines


def _seal_art(unit_name: str, caption: str = "") -> bytes:
    """A one-page PDF of a red round seal: the name along the top arc, a star in the
    middle, 电子签章 underneath; below the seal, `caption` (the level it attests and
    the officer who applied it) in up to two lines."""
    out = io.BytesIO()
    size = _ART_SIZE
    lines = _caption_lines(caption)
    width, below = (150.0, len(lines) * _CAPTION_LINE + 2) if lines else (size, 0.0)
    c = Canvas(out, pagesize=(width, size + below))
    red = colors.Color(*RED)
    c.setStrokeColor(red)
    c.setFillColor(red)
    cx, cy = width / 2, below + size / 2
    for n, line in enumerate(lines):
        c.setFont(documents.FONT, 7.5)
        c.drawCentredString(cx, below - (n + 1) * _CAPTION_LINE + 1, line)
    radius = size / 2 - 2
    c.setLineWidth(2.2)
    c.circle(cx, cy, radius)
    # the star
    star = c.beginPath()
    for i in range(10):
        r = 13 if i % 2 == 0 else 5.2
        angle = math.pi / 2 + i * math.pi / 5
        x, y = cx + r * math.cos(angle), cy + 4 + r * math.sin(angle)
        star.moveTo(x, y) if i == 0 else star.lineTo(x, y)
    star.close()
    c.drawPath(star, stroke=0, fill=1)
    # the name, along the arc, each character upright on its radius
    name = unit_name.strip() or "—"
    font_size = 11.0 if len(name) <= 8 else max(6.0, 11.0 * 8 / len(name))
    span = min(250.0, 24.0 * len(name) * font_size / 11.0)
    text_radius = radius - 3 - font_size * 0.9
    step = span / max(1, len(name) - 1) if len(name) > 1 else 0
    c.setFont(documents.FONT, font_size)
    for i, char in enumerate(name):
        angle = math.radians(90 + span / 2 - i * step)
        c.saveState()
        c.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
        c.rotate(math.degrees(angle) - 90)
        c.drawCentredString(0, 0, char)
        c.restoreState()
    c.setFont(documents.FONT, 8)
    c.drawCentredString(cx, cy - 22, "电子签章")  # i18n: data (the stamp's own wording)
    c.showPage()
    c.save()
    return out.getvalue()


class _PdfPageFromBytes(PdfContent):
    """pyHanko's ImportedPdfPage reads a file by name; this reads bytes in memory."""

    def __init__(self, data: bytes):
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        name = "/Import" + hexlify(uuid.uuid4().bytes).decode()
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode() + b" Do"


@dataclass(frozen=True)
class _SealStampStyle(TextStampStyle):
    """The stamp shows the very time pyHanko puts in the signature, in the site's time
    zone (pyHanko formats it in the server's)."""

    def create_stamp(self, writer, box, text_params):
        params = dict(text_params)
        when = dt.datetime.fromisoformat(params["ts"])  # aware: _TS_FORMAT ends in %z
        params["ts"] = timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S %z")
        return super().create_stamp(writer, box, params)


def _stamp_style(unit_name: str, caption: str = "") -> TextStampStyle:
    return _SealStampStyle(
        stamp_text="%(ts)s",
        timestamp_format=_TS_FORMAT,
        text_box_style=TextBoxStyle(font_size=7, text_color=RED),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(bottom=3)),
        background=_PdfPageFromBytes(_seal_art(unit_name, caption)),
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(top=2, bottom=16)),
        background_opacity=1.0,
        border_width=0,
    )


def _page_width(writer: IncrementalPdfFileWriter, page_ix: int) -> float:
    page_ref, _resources = writer.find_page_for_modification(page_ix)
    node = page_ref.get_object()
    while node is not None:
        if "/MediaBox" in node:
            x1, _y1, x2, _y2 = (float(v) for v in node["/MediaBox"])
            return abs(x2 - x1)
        node = node.get("/Parent")
    return documents.A4[0]


def sign(pdf: bytes, *, certificate_pem: str, private_key_pem: str, authority_pem: str, unit_name: str,
         reason: str, field_name: str | None = None, signer_name: str = "", caption: str = "") -> bytes:
    """`pdf` with one more visible seal, added as an incremental update, on the last
    page next to (or above) the seals already there. The signature's /Name is
    `signer_name` (the officer whose act applies it; the unit by default), its
    certificate the unit's; `caption` is shown under the stamp."""
    reader = _reader(pdf)
    try:
        writer = IncrementalPdfFileWriter.from_reader(reader)
        existing = [name for name, _value, _ref in fields.enumerate_sig_fields(reader)]
        page_count = int(reader.root["/Pages"]["/Count"])
        width = _page_width(writer, page_count - 1)
    except Exception as exc:  # hostile or broken input, see _reader
        raise _unreadable(exc) from exc
    if field_name is None:
        n = len(existing) + 1
        while f"Seal{n}" in existing:
            n += 1
        field_name = f"Seal{n}"
    elif field_name in existing:
        raise ApplicationError("seal_field_taken",
                               _("The signature field “%(field)s” already exists.") % {"field": field_name},
                               field="field_name")
    box = documents.seal_box(len(existing), width)
    signer = signers.SimpleSigner(
        signing_cert=next(load_certs_from_pemder_data(certificate_pem.encode())),
        signing_key=load_private_key_from_pemder_data(private_key_pem.encode(), passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(list(load_certs_from_pemder_data(authority_pem.encode()))),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, name=signer_name or unit_name, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=_stamp_style(unit_name, caption),
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page_count - 1,
                                           box=tuple(round(v) for v in box)))
    out = _off_loop(pdf_signer.sign_pdf, writer)
    return out.getvalue()


# --- checking --------------------------------------------------------------------


def check(pdf: bytes, *, trust_roots_pem: list[str]) -> list[SealCheck]:
    """Every signature on `pdf`, in the order applied, checked against `trust_roots_pem`
    (no roots: nothing is trusted; the system's trust store is never used)."""
    reader = _reader(pdf)
    roots = [cert for pem in trust_roots_pem for cert in load_certs_from_pemder_data(pem.encode())]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # hostile or broken input, see _reader
        raise _unreadable(exc) from exc
    return [_check_one(embedded, context, pdf) for embedded in signatures]


def _revision_sha256(embedded, pdf: bytes) -> str:
    """The SHA-256 of the file up to the end of the bytes this signature covers: the
    document as it stood right after the seal (what the trail's archive.sealed entry
    recorded)."""
    try:
        start, _length, second, rest = (int(n) for n in embedded.byte_range)
    except (TypeError, ValueError):
        return ""
    return hashlib.sha256(pdf[:second + rest]).hexdigest() if start == 0 else ""


def _serial(embedded) -> str:
    try:
        return format(embedded.signer_cert.serial_number, "x")
    except Exception:  # no usable certificate in a mangled signature
        return ""


def _check_one(embedded, context: ValidationContext, pdf: bytes) -> SealCheck:
    try:
        status = _off_loop(validate_pdf_signature, embedded, signer_validation_context=context)
    except Exception as exc:
        # A signature too mangled to evaluate is a seal that does not hold, not a
        # file we cannot read: the other seals are still reported.
        logger.info("signature %s cannot be evaluated: %r", embedded.field_name, exc)
        return SealCheck(field_name=str(embedded.field_name), unit_name=_signer_name(embedded),
                         signed_at=None, intact=False, trusted=False, covers_whole_file=False)
    return SealCheck(
        field_name=str(embedded.field_name),
        unit_name=_signer_name(embedded),
        signed_at=embedded.self_reported_timestamp,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        serial=_serial(embedded),
        revision_sha256=_revision_sha256(embedded, pdf),
        signer_name=_sig_text(embedded, "/Name"),
        reason=_sig_text(embedded, "/Reason"),
    )


def _sig_text(embedded, key: str) -> str:
    try:
        return str(embedded.sig_object.get(key, ""))[:200]
    except Exception:  # a mangled signature dictionary: nothing to show
        return ""


def _signer_name(embedded) -> str:
    try:
        certificate = embedded.signer_cert
    except Exception:  # no usable certificate in a mangled signature
        return _("unknown")
    return str(certificate.subject.native.get("common_name", "")) or certificate.subject.human_friendly
