"""Reading back what reportlab wrote, for assertions."""

import re
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match) -> bytes:
        code = match.group(1)
        return bytes([int(code, 8)]) if code[:1].isdigit() else _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def text_of(pdf: bytes) -> str:
    """The text shown on the pages of a PDF that reportlab set in the CID font: each
    string drawn is UTF-16BE (the UniGB-UCS2-H encoding)."""
    reader = PdfFileReader(BytesIO(pdf))
    shown = []
    for page_ref in _pages(reader.root["/Pages"]):
        contents = page_ref["/Contents"]
        streams = contents if isinstance(contents, list) else [contents]
        for stream in streams:
            for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream.get_object().data, flags=re.S):
                shown.append(_unescape(literal).decode("utf-16-be", errors="replace"))
    return "\n".join(shown)


def _pages(node):
    node = node.get_object()
    if node["/Type"] == "/Page":
        yield node
        return
    for kid in node["/Kids"]:
        yield from _pages(kid)
