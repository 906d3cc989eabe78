"""Sealing a document: the seal holds, names the unit, chains to the internal CA, and
leaves one audit entry; seals follow each other on one document."""

import hashlib

import pytest
from django.utils import timezone

from tongban.archive.models import SealAuthority, SealKey
from tongban.archive.selectors import verify_pdf
from tongban.archive.services import seal_pdf
from tongban.audit.chain import verify as verify_trail
from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_a_sealed_document_verifies_intact_and_trusted(world, agreement):
    before = timezone.now()

    sealed = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="放弃迁移协议")

    assert sealed.startswith(agreement)  # an incremental update: the original bytes stay as they were
    [check] = verify_pdf(sealed)
    assert check.unit_name == "保卫处"
    assert check.intact and check.trusted and check.covers_whole_file and check.ok
    assert before.replace(microsecond=0) <= check.signed_at <= timezone.now()


def test_sealing_writes_one_audit_entry_with_the_reason_and_the_digest(world, agreement):
    sealed = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="放弃迁移协议")

    entry = AuditEntry.objects.get(action="archive.sealed")
    assert entry.actor_id == world.officer.pk
    assert (entry.object_type, entry.object_id) == ("accounts.orgunit", str(world.security.pk))
    assert entry.details["reason"] == "放弃迁移协议"
    assert entry.details["sha256"] == hashlib.sha256(sealed).hexdigest()
    assert entry.details["serial"] == SealKey.objects.get(org_unit=world.security).serial
    assert verify_trail(AuditEntry.objects.all()).ok


def test_two_units_seal_one_after_the_other_and_both_seals_hold(world, agreement):
    first = seal_pdf(agreement, unit=world.east_1, actor=world.clerk, reason="受理")

    second = seal_pdf(first, unit=world.east, actor=world.approver, reason="审批")

    checks = verify_pdf(second)
    assert [c.unit_name for c in checks] == ["东门派出所", "东城分局"]
    assert all(c.intact and c.trusted for c in checks)
    # The first seal covers its own revision; the second seal covers the whole file.
    assert [c.covers_whole_file for c in checks] == [False, True]
    assert [c.field_name for c in checks] == ["Seal1", "Seal2"]
    assert AuditEntry.objects.filter(action="archive.sealed").count() == 2


def test_keys_are_made_once_and_reused(world, agreement):
    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="一")
    key = SealKey.objects.get(org_unit=world.security)

    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="二")

    assert SealKey.objects.get(org_unit=world.security).serial == key.serial
    assert SealAuthority.objects.count() == 1
    assert SealKey.objects.count() == 1
    assert AuditEntry.objects.filter(action="archive.seal_key_created").count() == 1
    assert AuditEntry.objects.filter(action="archive.authority_created").count() == 1


def test_private_keys_are_stored_encrypted(world, agreement):
    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="一")

    key = SealKey.objects.get(org_unit=world.security)
    authority = SealAuthority.objects.get()
    assert "PRIVATE KEY" not in key.private_key_encrypted
    assert "PRIVATE KEY" not in authority.private_key_encrypted
    assert "CN=保卫处" in _subject_of(key.certificate_pem)


def _subject_of(pem: str) -> str:
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem.encode()).subject.rfc4514_string()


def test_an_inactive_unit_cannot_seal(world, agreement):
    world.law.is_active = False
    world.law.save()

    with pytest.raises(ApplicationError) as refused:
        seal_pdf(agreement, unit=world.law, actor=world.officer, reason="一")

    assert refused.value.code == "seal_unit_inactive"
    assert not SealKey.objects.exists()
    assert not AuditEntry.objects.filter(action="archive.sealed").exists()


def test_sealing_garbage_is_refused_and_leaves_nothing_behind(world):
    with pytest.raises(ApplicationError) as refused:
        seal_pdf(b"%PDF-1.7\nthis is not really a pdf", unit=world.security, actor=world.officer, reason="一")

    assert refused.value.code == "pdf_unreadable"
    assert not AuditEntry.objects.filter(action__startswith="archive.").exists()


def test_a_named_field_that_is_already_sealed_is_refused(world, agreement):
    sealed = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="一", field_name="保卫处")

    with pytest.raises(ApplicationError) as refused:
        seal_pdf(sealed, unit=world.security, actor=world.officer, reason="二", field_name="保卫处")

    assert refused.value.code == "seal_field_taken"
