"""Reads of the archive: what the seals on a PDF say."""

from __future__ import annotations

from tongban.archive import seals
from tongban.archive.models import SealAuthority
from tongban.archive.seals import SealCheck


def verify_pdf(pdf: bytes) -> list[SealCheck]:
    """Each seal on `pdf`, in the order applied: the unit named in its certificate,
    when it was applied, whether the signed bytes are intact, whether its certificate
    chains to the internal seal CA, and whether anything was appended after it.
    Anyone may ask (the public verification page does); nothing is written.

    Raises ApplicationError (code pdf_not_pdf, pdf_encrypted or pdf_unreadable) for
    bytes that are not a PDF it can read. A PDF without seals gives an empty list."""
    roots = list(SealAuthority.objects.values_list("certificate_pem", flat=True))
    return seals.check(pdf, trust_roots_pem=roots)
