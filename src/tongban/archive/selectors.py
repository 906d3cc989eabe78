"""Reads of the archive: what the seals on a PDF say, in one verdict and in detail,
and what the archive holds for a document number."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import OrgUnit
from tongban.archive import seals
from tongban.archive.models import DocumentSeal, SealAuthority, SealedDocument, SealKey
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


class Verdict:
    """The one answer the verification page gives first, worst first."""

    VALID = _("Valid")
    CHANGED = _("The file was changed")
    UNSEALED = _("No seal")
    UNTRUSTED = _("Signer not trusted")


@dataclass(frozen=True)
class SealDetail:
    """One seal as the page shows it: what the signature says, and the level the
    archive recorded for it (matched by the file as it stood right after the seal)."""

    check: SealCheck
    level: str
    number: str  # the archived document this seal belongs to, if any


@dataclass(frozen=True)
class Verification:
    verdict: str
    explanation: str
    seals: list[SealDetail]
    document: SealedDocument | None  # the archived document this file is (a revision of)
    current: bool  # the file is the archive's stored file, byte for byte

    @property
    def valid(self) -> bool:
        return self.verdict == Verdict.VALID


def verdict_of(checks: list[SealCheck]) -> tuple[str, str]:
    """The overall verdict and its explanation: no seal; any seal whose bytes changed,
    or anything added after the last one (a changed file, whatever else holds); a seal
    not from our CA or of a revoked key; else valid."""
    if not checks:
        return Verdict.UNSEALED, _("The file has no electronic seal: it cannot be shown to come from this platform.")
    if any(not c.intact for c in checks) or not checks[-1].covers_whole_file:
        return Verdict.CHANGED, _("The file was changed after it was sealed: the changes are not covered by the seal; "
                                  "the original in the archive prevails.")
    if any(not c.trusted for c in checks):
        return Verdict.UNTRUSTED, _("The seals are intact, but a seal certificate was not issued by this platform or "
                                    "was revoked: it cannot be shown to come from this platform.")
    return Verdict.VALID, _("The file is unchanged since it was sealed, and every seal was applied with a unit seal "
                            "issued by this platform.")


def verify_upload(pdf: bytes) -> Verification:
    """`verify_pdf` with its verdict, each seal's level from the archive, and the
    archived document the file is (or was, before later seals)."""
    checks = verify_pdf(pdf)
    verdict, explanation = verdict_of(checks)
    hashes = [c.revision_sha256 for c in checks if c.revision_sha256]
    recorded = {s.sha256: s for s in DocumentSeal.objects.filter(sha256__in=hashes).select_related("document")}
    seals = []
    for check in checks:
        seal = recorded.get(check.revision_sha256) if check.intact else None
        seals.append(SealDetail(check=check, level=seal.level if seal else check.reason,
                                number=seal.document.number if seal else ""))
    document = next((recorded[h].document for h in reversed(hashes) if h in recorded), None)
    current = document is not None and document.sha256 == hashlib.sha256(pdf).hexdigest()
    return Verification(verdict=verdict, explanation=explanation, seals=seals, document=document, current=current)


def document_by_number(number: str) -> SealedDocument | None:
    """The archived document printed with `number`, for anyone (the public page shows
    only its masked holder, never the file)."""
    number = number.strip().upper()
    if not number or len(number) > 48:
        return None
    return SealedDocument.objects.filter(number=number).first()


def seals_of(document: SealedDocument) -> list[DocumentSeal]:
    return list(document.seals.select_related("org_unit"))


def document_for(*, subject, kind: str) -> SealedDocument | None:
    """The latest document of `kind` about `subject` that is not void."""
    return (SealedDocument.objects.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk),
                                          kind=kind).exclude(state=SealedDocument.State.VOID)
            .order_by("-created_at", "-pk").first())
