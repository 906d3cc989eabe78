"""Writes of the archive: applying a unit's seal to a document, and making the keys
behind the seals on first use.

Keys are made lazily: the internal CA when the first seal is applied, a unit's seal
key when that unit first seals (and again after a revocation, or when its certificate
nears its end). Two processes doing that at once both make a key, but only one insert
wins the unique constraint on a unit's key in use; the other rolls its savepoint back
and uses the winner's, so a unit never has two keys in use. An admin may also replace
a unit's key (retired: its seals stay valid) or revoke one (lost or compromised).

Lock order: each creation appends its audit entry *before* inserting the key, at
once (`record_many`), even inside an act that holds its other entries to its end
(`audit.services.appended_last`). The audit append takes the trail's lock (on
PostgreSQL an advisory lock held to the end of the transaction), so every writer
takes that lock before it can hold a pending key row; inserting first could deadlock
with a transaction that already appended to the trail and then waits on our
uncommitted row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.access import authorize
from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Action
from tongban.archive import certs, seals
from tongban.archive.models import DocumentSeal, SealAuthority, SealedDocument, SealKey
from tongban.audit.services import Event, record, record_many
from tongban.lib.crypto import decrypt, encrypt
from tongban.lib.errors import ApplicationError, StateConflict

AUTHORITY = "internal"
# A seal key whose certificate ends within this is replaced at its next seal.
RENEW_BEFORE = dt.timedelta(days=30)
# X.509 caps a common name at 64 characters.
_CN_MAX = 64


def _authority(*, actor) -> SealAuthority:
    """The internal CA, made on first use."""
    found = SealAuthority.objects.filter(name=AUTHORITY).first()
    if found is not None:
        return found
    made = certs.make_authority(now=timezone.now())
    try:
        with transaction.atomic():
            # The audit entry first: see "lock order" above.
            record_many(actor=actor, events=[Event("archive.authority_created",
                                                   _("Created %(ca)s") % {"ca": certs.CA_NAME},
                                                   "archive.sealauthority", AUTHORITY, {"serial": made.serial})])
            authority = SealAuthority.objects.create(
                name=AUTHORITY, subject=made.subject, serial=made.serial, not_before=made.not_before,
                not_after=made.not_after, certificate_pem=made.certificate_pem,
                private_key_encrypted=encrypt(made.private_key_pem))
    except IntegrityError:
        # Someone made it first; theirs is the one.
        return SealAuthority.objects.get(name=AUTHORITY)
    return authority


def _in_use(unit: OrgUnit):
    return SealKey.objects.filter(org_unit=unit, retired_at__isnull=True, revoked_at__isnull=True)


def seal_key_for(*, actor, unit: OrgUnit) -> SealKey:
    """`unit`'s seal key in use, made (and certified by the internal CA) on first use,
    after a revocation, and when its certificate ends within RENEW_BEFORE (the old key
    is then retired: its seals stay valid). Safe to call from many processes at once:
    they all get the same key."""
    found = _in_use(unit).select_related("authority").first()
    if found is not None and found.not_after - timezone.now() > RENEW_BEFORE:
        return found
    return _issue(actor=actor, unit=unit, replacing=found, why=_("the certificate is about to expire, replaced "
                                                                 "automatically") if found else "")


def _issue(*, actor, unit: OrgUnit, replacing: SealKey | None, why: str) -> SealKey:
    """A new key in use for `unit`, retiring `replacing` (the key in use when the caller
    looked, if any). Should another process have replaced it first, theirs is used."""
    authority = _authority(actor=actor)
    made = certs.issue_seal(
        authority_certificate_pem=authority.certificate_pem,
        authority_key_pem=decrypt(authority.private_key_encrypted),
        common_name=unit.name[:_CN_MAX], now=timezone.now())
    try:
        with transaction.atomic():
            if replacing is not None:
                summary = _("Replaced the seal certificate of %(unit)s (%(why)s)") % {"unit": unit.name, "why": why}
                details = {"serial": made.serial, "replaces": replacing.serial, "why": why}
            else:
                summary = _("Issued a seal certificate for %(unit)s") % {"unit": unit.name}
                details = {"serial": made.serial}
            record_many(actor=actor, events=[Event("archive.seal_key_created", summary[:255], unit._meta.label_lower,
                                                   str(unit.pk), details)])
            if replacing is not None and not _in_use(unit).filter(pk=replacing.pk).update(retired_at=timezone.now()):
                raise IntegrityError("replaced meanwhile")
            key = SealKey.objects.create(
                org_unit=unit, authority=authority, subject=made.subject, serial=made.serial,
                not_before=made.not_before, not_after=made.not_after, certificate_pem=made.certificate_pem,
                private_key_encrypted=encrypt(made.private_key_pem))
    except IntegrityError:
        # someone made or replaced it first: theirs is the one; or the key being
        # replaced was revoked meanwhile, and nobody made the next one yet
        theirs = _in_use(unit).select_related("authority").first()
        return theirs if theirs is not None else _issue(actor=actor, unit=unit, replacing=None, why="")
    return key


def renew_seal_key(*, actor, unit: OrgUnit, reason: str) -> SealKey:
    """An admin replaces `unit`'s seal key (a staff change, a scheduled rotation): the
    old one is retired and its seals stay valid; the next seal uses the new one."""
    authorize(actor, Action.ORG_MANAGE, unit=unit)
    if not reason.strip():
        raise ApplicationError("reason_required", _("Please give the reason for the replacement."), field="reason")
    # no lock on the key here: the trail's lock comes first (see "lock order" above),
    # and `_issue` finds a replacement made meanwhile by its conditional update
    return _issue(actor=actor, unit=unit, replacing=_in_use(unit).first(), why=reason.strip()[:100])


def revoke_seal_key(*, actor, key: SealKey, reason: str) -> SealKey:
    """An admin revokes a key that was lost or may be known to others: from now on a
    seal of it holds only where the trail shows that very document sealed before this
    moment (its signing time is the signer's own word, which a thief could backdate).
    The unit's next seal is made with a new key."""
    authorize(actor, Action.ORG_MANAGE, unit=key.org_unit)
    if not reason.strip():
        raise ApplicationError("reason_required", _("Please give the reason for the revocation."), field="reason")
    key = SealKey.objects.select_related("org_unit").get(pk=key.pk)
    reason = reason.strip()[:200]
    with transaction.atomic():
        # the trail first, then the key's row (see "lock order" above); a revocation
        # that lost the race updates nothing, and its entry rolls back with it
        record_many(actor=actor, events=[Event(
            "archive.seal_key_revoked", (_("Revoked the seal certificate %(serial)s of %(unit)s: %(reason)s") % {
                "serial": key.serial, "unit": key.org_unit.name, "reason": reason})[:255],
            key.org_unit._meta.label_lower, str(key.org_unit_id), {"serial": key.serial, "reason": reason})])
        if not SealKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(),
                                                                                 revoked_reason=reason):
            when = timezone.localtime(SealKey.objects.get(pk=key.pk).revoked_at)
            raise StateConflict("already_revoked",
                                _("This key was revoked at %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"})
    key.refresh_from_db()
    return key


@transaction.atomic
def seal_pdf(pdf: bytes, *, unit: OrgUnit, actor, reason: str, field_name: str | None = None,
             signer_name: str = "", caption: str = "", document_number: str = "") -> bytes:
    """Apply `unit`'s seal to `pdf` and return the sealed document: a PAdES signature
    in a new incremental update, so seals already on the document stay valid, with a
    visible stamp (unit name, signing time) at the bottom right of the last page.
    Writes one audit entry (archive.sealed, object = the unit, with the reason and the
    result's SHA-256) in the same transaction.

    Whether `actor` may act for `unit` is the caller's decision (the approval step
    that leads here has already checked it); `actor=None` is the system.
    Refuses an inactive unit, a file that is not a readable, unencrypted PDF, and a
    `field_name` already on the document. `signer_name` goes into the signature (the
    officer whose act this is), `caption` under the stamp."""
    return _seal(pdf, unit=unit, actor=actor, reason=reason, field_name=field_name, signer_name=signer_name,
                 caption=caption, document_number=document_number)


def _seal(pdf: bytes, *, unit: OrgUnit, actor, reason: str, field_name: str | None, signer_name: str,
          caption: str, document_number: str) -> bytes:
    """`seal_pdf` in the caller's transaction, without a savepoint (its entry is then
    held to the end of an act, see audit.services.appended_last)."""
    if not unit.is_active:
        raise ApplicationError("seal_unit_inactive",
                               _("The unit “%(unit)s” is inactive and cannot seal.") % {"unit": unit.name},
                               field="unit")
    if not reason.strip():
        raise ApplicationError("seal_reason_required", _("Please give the reason for the seal."), field="reason")
    key = seal_key_for(actor=actor, unit=unit)
    sealed = seals.sign(
        pdf, certificate_pem=key.certificate_pem, private_key_pem=decrypt(key.private_key_encrypted),
        authority_pem=key.authority.certificate_pem, unit_name=key.subject, reason=reason,
        field_name=field_name, signer_name=signer_name, caption=caption)
    digest = hashlib.sha256(sealed).hexdigest()
    details = {"reason": reason, "sha256": digest, "serial": key.serial,
               "original_sha256": hashlib.sha256(pdf).hexdigest()}
    if signer_name:
        details["signer"] = signer_name
    if document_number:
        details["document"] = document_number
    record(actor=actor, action="archive.sealed", obj=unit, summary=(_("Applied the electronic seal of %(unit)s: "
                                                                      "%(reason)s") % {
               "unit": unit.name, "reason": reason})[:255],
           details=details)
    return sealed


# --- sealed documents -----------------------------------------------------------------
# Each write below runs in the caller's act without a savepoint of its own (a refusal
# fails the act), so its trail entries are held to the act's end with the others
# (audit.services.appended_last); only a key's first creation appends at once.


def mask_name(name: str) -> str:
    """李同学 -> 李**: the family name only, as a public page may show it."""
    name = name.strip()
    return name[:1] + "*" * min(len(name) - 1, 3) if name else ""


def verification_url(number: str) -> str:
    """The public page that shows what the archive holds for `number` (the QR code on
    the paper encodes it)."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('archive:verify')}?{urlencode({'number': number})}"


def start_document(*, actor, number: str, kind: str, title: str, holder_name: str, subject,
                   pdf: bytes) -> SealedDocument:
    """Keep `pdf` (rendered with `number` and its verification QR printed on it) as a
    document to be sealed, level by level, with `seal_document`. `subject` is the
    record it is about (a case); the holder's name is kept masked. Refuses a number
    already taken."""
    if SealedDocument.objects.filter(number=number).exists():
        raise StateConflict("document_number_taken",
                            _("The document number %(number)s already exists.") % {"number": number}, field="number")
    with transaction.atomic(savepoint=False):
        document = SealedDocument.objects.create(
            number=number, kind=kind, title=title[:200], holder_masked=mask_name(holder_name),
            subject_type=subject._meta.label_lower, subject_id=str(subject.pk), pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest())
        record(actor=actor, action="archive.document_started", obj=document,
               summary=_("Made the document %(number)s (%(kind)s)") % {
                   "number": number, "kind": document.get_kind_display()}, details={"sha256": document.sha256})
    return document


def _locked_document(document: SealedDocument) -> SealedDocument:
    return SealedDocument.objects.select_for_update().get(pk=document.pk)


def seal_document(*, actor, document: SealedDocument, unit: OrgUnit, level: str, signer=None,
                  signer_name: str = "") -> SealedDocument:
    """Add `unit`'s seal for `level` to the stored file, in its own incremental update,
    named for the officer `signer` (or `signer_name`: the system acting for the unit).
    The document's row is locked first, so two levels sealed at once end as two
    seals, one after the other, neither lost. Refuses a document already issued or
    void."""
    name = signer_name or (str(signer) if signer is not None else _("%(unit)s (system)") % {"unit": unit.name})
    with transaction.atomic(savepoint=False):
        document = _locked_document(document)
        if document.state != SealedDocument.State.SIGNING:
            raise StateConflict("document_closed",
                                _("The document %(number)s is %(state)s and takes no more seals.") % {
                                    "number": document.number, "state": document.get_state_display()})
        position = document.seals.count() + 1
        sealed = _seal(bytes(document.pdf), unit=unit, actor=actor, field_name=f"Seal{position}",
                          reason=f"{document.number} {level}"[:200], signer_name=name[:150],
                          caption=f"{level} · {name}", document_number=document.number)
        key = _in_use(unit).only("serial").first()
        document.pdf, document.sha256 = sealed, hashlib.sha256(sealed).hexdigest()
        document.save(update_fields=["pdf", "sha256"])
        DocumentSeal.objects.create(document=document, position=position, level=level[:128], org_unit=unit,
                                    signer=signer if signer is not None and signer.is_authenticated else None,
                                    signer_name=name[:150], key_serial=key.serial if key else "",
                                    sha256=document.sha256)
    return document


def issue_document(*, actor, document: SealedDocument) -> SealedDocument:
    """The document is final (its case decided): no more seals; from now on the stored
    file is what every download serves. Refuses one without a seal."""
    with transaction.atomic(savepoint=False):
        document = _locked_document(document)
        if document.state == SealedDocument.State.ISSUED:
            return document
        if document.state != SealedDocument.State.SIGNING:
            raise StateConflict("document_closed", _("The document %(number)s is %(state)s.") % {
                "number": document.number, "state": document.get_state_display()})
        if not document.seals.exists():
            raise StateConflict("document_unsealed",
                                _("The document %(number)s has no seal yet and cannot be issued.") % {
                "number": document.number})
        document.state, document.issued_at = SealedDocument.State.ISSUED, timezone.now()
        document.save(update_fields=["state", "issued_at"])
        record(actor=actor, action="archive.document_issued", obj=document,
               summary=_("Issued the document %(number)s") % {"number": document.number},
               details={"sha256": document.sha256,
                                                             "seals": document.seals.count()})
    return document


def void_document(*, actor, document: SealedDocument, reason: str) -> SealedDocument:
    """The document will not be issued (its case was returned and may change, or ended
    without completing); the verification page says so for its number."""
    with transaction.atomic(savepoint=False):
        document = _locked_document(document)
        if document.state != SealedDocument.State.SIGNING:
            raise StateConflict("document_closed", _("The document %(number)s is %(state)s.") % {
                "number": document.number, "state": document.get_state_display()})
        document.state, document.voided_at = SealedDocument.State.VOID, timezone.now()
        document.void_reason = reason[:200]
        document.save(update_fields=["state", "voided_at", "void_reason"])
        record(actor=actor, action="archive.document_voided", obj=document,
               summary=(_("Voided the document %(number)s: %(reason)s") % {
                   "number": document.number, "reason": reason})[:255], details={"reason": reason[:200]})
    return document


def record_download(*, actor, document: SealedDocument) -> None:
    """One trail entry for one download of the stored file (never a new seal)."""
    record(actor=actor, action="archive.document_downloaded", obj=document,
           summary=_("Downloaded the document %(number)s") % {"number": document.number},
           details={"sha256": document.sha256})
