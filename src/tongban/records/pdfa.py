"""Pages in, one PDF/A-2B file out; and the checks a page passes first.

Checks, in the order a page meets them: its type by its first bytes (JPEG, PNG or
PDF, whatever its name says), its size, its completeness (a JPEG ends with its EOI
marker, a PNG with its IEND chunk, a PDF with %%EOF: an upload cut off mid-way is
refused, not stored half), then, for an image, its pixels: too small, too dark or near
uniform (a blank sheet, the lens covered) is refused with a message that says which;
for a PDF, any JavaScript, embedded file, launch action or encryption.

Images become pages with img2pdf (a JPEG is embedded as it is, without re-encoding);
pikepdf then adds what PDF/A-2B asks: the XMP metadata with pdfaid, and an output
intent with the sRGB ICC profile. The profile is the one pikepdf ships
(`pikepdf/pdfa/data/sRGB.icc`, from Debian's icc-profiles-free, zlib licence: see
pikepdf's third-party-licenses/sRGB-icc-profile.txt), so nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from xml.sax.saxutils import escape

import img2pdf
import pikepdf
from django.utils.translation import gettext as _
from PIL import Image, ImageStat, UnidentifiedImageError

from tongban.lib.errors import ApplicationError

# Below these a page is refused: a mean luminance (0–255) too dark to read, a spread of
# luminance too small for anything to be on the page.
MIN_BRIGHTNESS = 40.0
MIN_SPREAD = 6.0
DEFAULT_MIN_WIDTH = 800
DEFAULT_MIN_HEIGHT = 600
MAX_PIXELS = 80_000_000  # a decompression bomb is refused before it is decoded


@dataclass(frozen=True)
class Page:
    data: bytes
    kind: str  # "jpg", "png" or "pdf"
    sha256: str


def kind_of(head: bytes) -> str | None:
    """A page's type by its first bytes, read as cases' uploads read them; a capture is
    a JPEG, a PNG or a PDF, anything else None."""
    from tongban.cases.uploads import sniff

    kind = sniff(io.BytesIO(head))
    return kind if kind in ("pdf", "jpg", "png") else None


def _complete(data: bytes, kind: str) -> bool:
    tail = data[-2048:].rstrip(b"\x00\r\n\t ")
    if kind == "jpg":
        return tail.endswith(b"\xff\xd9")
    if kind == "png":
        return tail.endswith(b"IEND\xaeB`\x82")
    return b"%%EOF" in tail[-1024:]


def read_page(data: bytes, *, name: str, number: int, max_bytes: int) -> Page:
    """A page as sent, checked for type, size and completeness (see the module)."""
    kind = kind_of(data[:8])
    which = _("Page %(number)s (%(name)s)") % {"number": number, "name": name}
    if kind is None:
        raise ApplicationError("bad_type", _("%(page)s is not a JPEG, PNG or PDF file (by its content)")
                               % {"page": which}, field="pages")
    if len(data) > max_bytes:
        raise ApplicationError("too_large", _("%(page)s is larger than %(limit)s MB")
                               % {"page": which, "limit": max_bytes // (1024 * 1024)}, field="pages")
    if not _complete(data, kind):
        raise ApplicationError("incomplete", _("%(page)s arrived incomplete (the upload was interrupted); "
                                               "send it again") % {"page": which}, field="pages")
    return Page(data=data, kind=kind, sha256=hashlib.sha256(data).hexdigest())


def check_image(page: Page, *, number: int, min_width: int, min_height: int) -> Image.Image:
    """The page's image, refused when it cannot be read, is too small, too dark or
    near uniform. Measured on a reduced copy (JPEG's draft mode decodes at 1/8)."""
    try:
        image = Image.open(io.BytesIO(page.data))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ApplicationError("too_many_pixels", _("Page %(number)s has too many pixels") % {"number": number},
                                   field="pages")
        short, long_ = sorted((width, height))
        if short < min(min_width, min_height) or long_ < max(min_width, min_height):
            raise ApplicationError("too_small", _("Page %(number)s is too small (%(width)s×%(height)s pixels; at "
                                                  "least %(min_w)s×%(min_h)s): move the camera closer or scan "
                                                  "at a higher resolution")
                                   % {"number": number, "width": width, "height": height, "min_w": min_width,
                                      "min_h": min_height}, field="pages")
        image.draft("L", (max(1, width // 8), max(1, height // 8)))
        grey = image.convert("L")
        grey.thumbnail((256, 256))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ApplicationError("unreadable", _("Page %(number)s cannot be read as an image")
                               % {"number": number}, field="pages") from exc
    stat = ImageStat.Stat(grey)
    if stat.mean[0] < MIN_BRIGHTNESS:
        raise ApplicationError("too_dark", _("Page %(number)s is too dark to read: turn on the light of the document "
                                             "camera and capture it again") % {"number": number}, field="pages")
    if stat.stddev[0] < MIN_SPREAD:
        raise ApplicationError("blank", _("Page %(number)s is blank or near uniform (nothing to read on it): "
                                          "check the paper is under the camera") % {"number": number},
                               field="pages")
    return image


def _direct(obj, depth: int = 0):
    """`obj` and the direct objects inside it (an indirect one is met on its own in
    `pdf.objects`)."""
    yield obj
    if depth > 32:
        return
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        children = [value for _key, value in obj.items()]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream) and not child.is_indirect:
            yield from _direct(child, depth + 1)


def _unsafe(pdf: pikepdf.Pdf) -> str | None:
    """What in the PDF may run or carry other files, or None."""
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        return _("it contains JavaScript")
    if names is not None and "/EmbeddedFiles" in names:
        return _("it contains embedded files")
    for top in [pdf.trailer, *pdf.objects]:
        for obj in _direct(top):
            if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                continue
            if "/JS" in obj or obj.get("/S") == pikepdf.Name.JavaScript:
                return _("it contains JavaScript")
            if obj.get("/Type") == pikepdf.Name.EmbeddedFile or obj.get("/Subtype") == pikepdf.Name.FileAttachment:
                return _("it contains embedded files")
            if obj.get("/S") in (pikepdf.Name.Launch, pikepdf.Name.ImportData):
                return _("it launches other programs")
    return None


def check_pdf(page: Page, *, number: int) -> int:
    """The number of pages of an uploaded PDF, refused when it cannot be read, is
    encrypted, or has JavaScript, embedded files or launch actions."""
    try:
        with pikepdf.open(io.BytesIO(page.data)) as pdf:
            reason = _("it is encrypted") if pdf.is_encrypted else _unsafe(pdf)
            count = len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise ApplicationError("pdf_unsafe", _("Page %(number)s: the PDF is refused: %(reason)s")
                               % {"number": number, "reason": _("it is encrypted")}, field="pages") from exc
    except pikepdf.PdfError as exc:
        raise ApplicationError("unreadable", _("Page %(number)s: the PDF cannot be read") % {"number": number},
                               field="pages") from exc
    if reason:
        raise ApplicationError("pdf_unsafe", _("Page %(number)s: the PDF is refused: %(reason)s")
                               % {"number": number, "reason": reason}, field="pages")
    if count == 0:
        raise ApplicationError("unreadable", _("Page %(number)s: the PDF has no pages") % {"number": number},
                               field="pages")
    return count


@cache
def srgb_profile() -> bytes:
    return (resources.files("pikepdf") / "pdfa" / "data" / "sRGB.icc").read_bytes()


def _embeddable(page: Page, image: Image.Image) -> bytes:
    """The bytes img2pdf embeds for a page: a JPEG or a plain PNG as they are; an image
    with transparency, a palette or CMYK turned into RGB (PDF/A forbids transparency,
    and the output intent is sRGB)."""
    if image.mode in ("RGB", "L") and not (page.kind == "png" and "transparency" in image.info):
        return page.data
    out = io.BytesIO()
    flat = image.convert("RGBA") if image.mode in ("P", "LA", "PA") or "transparency" in image.info else image
    if flat.mode == "RGBA":
        background = Image.new("RGB", flat.size, "white")
        background.paste(flat, mask=flat.getchannel("A"))
        flat = background
    flat.convert("RGB").save(out, "PNG" if page.kind == "png" else "JPEG", quality=92)
    return out.getvalue()


def check_images(pages: list[Page], *, min_width: int, min_height: int) -> list[bytes]:
    """Each page checked (`check_image`) and made embeddable, in the pages' order. The
    pages are decoded side by side (Pillow lets go of the GIL while it decodes): the
    decode is most of a capture's time (bench/capture_pdfa.py)."""

    def one(numbered: tuple[int, Page]) -> bytes:
        number, page = numbered
        return _embeddable(page, check_image(page, number=number, min_width=min_width, min_height=min_height))

    if len(pages) == 1:
        return [one((1, pages[0]))]
    with ThreadPoolExecutor(max_workers=min(len(pages), os.cpu_count() or 1, 4)) as pool:
        return list(pool.map(one, enumerate(pages, 1)))  # the first refusal, in page order, is raised


def to_pdfa(images: list[bytes], *, title: str, author: str, created: datetime) -> bytes:
    """One PDF/A-2B file of the images (one page each, at their own size)."""
    plain = img2pdf.convert(images, rotation=img2pdf.Rotation.ifvalid, nodate=True)
    return make_pdfa(plain, title=title, author=author, created=created)


XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
<xmp:CreateDate>{created}</xmp:CreateDate><xmp:ModifyDate>{created}</xmp:ModifyDate>
<pdf:Producer>{producer}</pdf:Producer>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
PRODUCER = "tongban records (img2pdf, pikepdf)"


def make_pdfa(plain: bytes, *, title: str, author: str, created: datetime) -> bytes:
    """`plain` with what PDF/A-2B asks beside the pages: the XMP metadata (pdfaid, and
    the document information it must agree with) and the sRGB output intent. The XMP
    packet is written here rather than through pikepdf's metadata editor, which parses
    and re-serialises it (half the time of this step)."""
    stamp = created.astimezone(UTC).replace(microsecond=0)
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        icc = pdf.make_stream(srgb_profile())
        icc["/N"] = 3
        pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
            Info=pikepdf.String("sRGB IEC61966-2.1"), DestOutputProfile=icc))])
        xmp = XMP.format(title=escape(title), author=escape(author), created=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         producer=PRODUCER)
        pdf.Root.Metadata = pdf.make_stream(xmp.encode("utf-8"), Type=pikepdf.Name.Metadata,
                                            Subtype=pikepdf.Name.XML)
        pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(title), Author=pikepdf.String(author), Producer=pikepdf.String(PRODUCER),
            CreationDate=pikepdf.String(stamp.strftime("D:%Y%m%d%H%M%SZ")),
            ModDate=pikepdf.String(stamp.strftime("D:%Y%m%d%H%M%SZ"))))
        out = io.BytesIO()
        # the pages' streams as they are (a JPEG is not decoded and encoded again)
        pdf.save(out, min_version="1.7", stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()
