"""Reads of the archive: what the seals on a PDF say."""

from __future__ import annotations

from dataclasses import replace

from tongban.accounts.models import OrgUnit
from tongban.archive import seals
from tongban.archive.models import SealAuthority, SealKey
from tongban.archive.seals import SealCheck
from tongban.audit.models import AuditEntry


def verify_pdf(pdf: bytes) -> list[SealCheck]:
    """Each seal on `pdf`, in the order applied: the unit named in its certificate,
    when it was applied, whether the signed bytes are intact, whether its certificate
    chains to the internal seal CA (and, for a key since revoked, whether the trail
    shows it sealed before), and whether anything was appended after it.
    Anyone may ask (the public verification page does); nothing is written.

    Raises ApplicationError (code pdf_not_pdf, pdf_encrypted or pdf_unreadable) for
    bytes that are not a PDF it can read. A PDF without seals gives an empty list."""
    roots = list(SealAuthority.objects.values_list("certificate_pem", flat=True))
    return [_against_revocations(check) for check in seals.check(pdf, trust_roots_pem=roots)]


def _against_revocations(check: SealCheck) -> SealCheck:
    """A seal of a revoked key holds only where the trail shows this very document
    (as it stood right after the seal) sealed before the key was revoked: its signing
    time is the signer's own word, which whoever holds a stolen key can backdate."""
    revoked = SealKey.objects.filter(serial=check.serial, revoked_at__isnull=False)
    key = revoked.only("revoked_at", "org_unit_id").first() if check.serial else None
    if key is None:
        return check
    # the entry of this key's own seal on this unit: an entry of another seal whose
    # byte range a forger copied does not vouch for this one
    on_trail = bool(check.revision_sha256) and AuditEntry.objects.filter(
        object_type=OrgUnit._meta.label_lower, object_id=str(key.org_unit_id), action="archive.sealed",
        details__serial=check.serial, details__sha256=check.revision_sha256, created_at__lt=key.revoked_at).exists()
    return replace(check, revoked_at=key.revoked_at, trusted=check.trusted and on_trail)
