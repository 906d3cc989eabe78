"""Writes of the archive: applying a unit's seal to a document, and making the keys
behind the seals on first use.

Keys are made lazily: the internal CA when the first seal is applied, a unit's seal
key when that unit first seals. Two processes doing that at once both make a key, but
only one insert wins the unique constraint; the other rolls its savepoint back and
uses the winner's, so a unit never has two keys.

Lock order: each creation appends its audit entry *before* inserting the key. The
audit append takes the trail's lock (on PostgreSQL an advisory lock held to the end
of the transaction), so every writer takes that lock before it can hold a pending
key row; inserting first could deadlock with a transaction that already appended
to the trail and then waits on our uncommitted row.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import OrgUnit
from tongban.archive import certs, seals
from tongban.archive.models import SealAuthority, SealKey
from tongban.audit.services import record
from tongban.lib.crypto import decrypt, encrypt
from tongban.lib.errors import ApplicationError

AUTHORITY = "internal"
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
            record(actor=actor, action="archive.authority_created", object_type="archive.sealauthority",
                   object_id=AUTHORITY, summary=f"创建{certs.CA_NAME}", details={"serial": made.serial})
            authority = SealAuthority.objects.create(
                name=AUTHORITY, subject=made.subject, serial=made.serial, not_before=made.not_before,
                not_after=made.not_after, certificate_pem=made.certificate_pem,
                private_key_encrypted=encrypt(made.private_key_pem))
    except IntegrityError:
        # Someone made it first; theirs is the one.
        return SealAuthority.objects.get(name=AUTHORITY)
    return authority


def seal_key_for(*, actor, unit: OrgUnit) -> SealKey:
    """`unit`'s seal key, made (and certified by the internal CA) on first use. Safe
    to call from many processes at once: they all get the same key."""
    found = SealKey.objects.filter(org_unit=unit).first()
    if found is not None:
        return found
    authority = _authority(actor=actor)
    made = certs.issue_seal(
        authority_certificate_pem=authority.certificate_pem,
        authority_key_pem=decrypt(authority.private_key_encrypted),
        common_name=unit.name[:_CN_MAX], now=timezone.now())
    try:
        with transaction.atomic():
            record(actor=actor, action="archive.seal_key_created", obj=unit,
                   summary=f"为{unit.name}签发签章证书", details={"serial": made.serial})
            key = SealKey.objects.create(
                org_unit=unit, authority=authority, subject=made.subject, serial=made.serial,
                not_before=made.not_before, not_after=made.not_after, certificate_pem=made.certificate_pem,
                private_key_encrypted=encrypt(made.private_key_pem))
    except IntegrityError:
        return SealKey.objects.get(org_unit=unit)
    return key


@transaction.atomic
def seal_pdf(pdf: bytes, *, unit: OrgUnit, actor, reason: str, field_name: str | None = None) -> bytes:
    """Apply `unit`'s seal to `pdf` and return the sealed document: a PAdES signature
    in a new incremental update, so seals already on the document stay valid, with a
    visible stamp (unit name, signing time) at the bottom right of the last page.
    Writes one audit entry (archive.sealed, object = the unit, with the reason and the
    result's SHA-256) in the same transaction.

    Whether `actor` may act for `unit` is the caller's decision (the approval step
    that leads here has already checked it); `actor=None` is the system.
    Refuses an inactive unit, a file that is not a readable, unencrypted PDF, and a
    `field_name` already on the document."""
    if not unit.is_active:
        raise ApplicationError("seal_unit_inactive", f"单位「{unit.name}」已停用，不能签章。", field="unit")
    if not reason.strip():
        raise ApplicationError("seal_reason_required", "请说明签章事由。", field="reason")
    key = seal_key_for(actor=actor, unit=unit)
    sealed = seals.sign(
        pdf, certificate_pem=key.certificate_pem, private_key_pem=decrypt(key.private_key_encrypted),
        authority_pem=key.authority.certificate_pem, unit_name=key.subject, reason=reason,
        field_name=field_name)
    digest = hashlib.sha256(sealed).hexdigest()
    record(actor=actor, action="archive.sealed", obj=unit, summary=f"加盖{unit.name}电子签章：{reason}"[:255],
           details={"reason": reason, "sha256": digest, "serial": key.serial,
                    "original_sha256": hashlib.sha256(pdf).hexdigest()})
    return sealed
