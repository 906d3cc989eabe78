"""A unit's seal key is replaced (by an admin, or when its certificate nears its end)
and revoked (lost or compromised). Seals made before a replacement stay valid; after
a revocation, a seal of the revoked key holds only where the trail shows that very
document sealed before it, since the signing time is the signer's own word."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.archive import seals
from tongban.archive.models import SealKey
from tongban.archive.selectors import verify_pdf
from tongban.archive.services import renew_seal_key, revoke_seal_key, seal_pdf
from tongban.audit.models import AuditEntry
from tongban.lib.crypto import decrypt
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict

pytestmark = pytest.mark.django_db


def _signed_in_staff(client, user):
    user.is_staff = True  # the back office admits staff; what they may do there is their roles'
    user.save()
    client.force_login(user)
    return client


def _key(unit) -> SealKey:
    return SealKey.objects.get(org_unit=unit, retired_at__isnull=True, revoked_at__isnull=True)


def test_an_admin_replaces_a_units_key_and_the_seals_made_before_still_hold(world, agreement):
    before = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="旧章")
    old = _key(world.security)

    new = renew_seal_key(actor=world.sysadmin, unit=world.security, reason="定期更换")

    assert new.serial != old.serial and _key(world.security) == new
    old.refresh_from_db()
    assert old.retired_at is not None and old.revoked_at is None and old.state == "已停用"
    after = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="新章")
    [check_before], [check_after] = verify_pdf(before), verify_pdf(after)
    assert check_before.ok and check_before.serial == old.serial
    assert check_after.ok and check_after.serial == new.serial
    entry = AuditEntry.objects.filter(action="archive.seal_key_created").latest("seq")
    assert entry.actor_id == world.sysadmin.pk and entry.details["replaces"] == old.serial


def test_only_an_admin_replaces_a_key_and_only_with_a_reason(world, agreement):
    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="章")
    serial = _key(world.security).serial
    with pytest.raises(NotAllowed):
        renew_seal_key(actor=world.officer, unit=world.security, reason="想换")
    with pytest.raises(ApplicationError) as refused:
        renew_seal_key(actor=world.sysadmin, unit=world.security, reason=" ")
    assert refused.value.field == "reason"
    assert _key(world.security).serial == serial and SealKey.objects.count() == 1


def test_a_key_near_the_end_of_its_certificate_is_replaced_at_its_next_seal(world, agreement):
    first = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="一")
    old = _key(world.security)
    SealKey.objects.filter(pk=old.pk).update(not_after=timezone.now() + dt.timedelta(days=20))

    second = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="二")

    assert _key(world.security).serial != old.serial
    assert SealKey.objects.get(pk=old.pk).retired_at is not None
    assert verify_pdf(second)[0].serial == _key(world.security).serial
    assert verify_pdf(first)[0].ok
    assert "自动更换" in AuditEntry.objects.filter(action="archive.seal_key_created").latest("seq").summary


def test_after_a_revocation_only_documents_the_trail_shows_sealed_before_it_hold(world, agreement):
    genuine = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="正常盖章")
    key = _key(world.security)

    revoke_seal_key(actor=world.sysadmin, key=key, reason="U 盾遗失")

    # whoever holds the lost key seals a document of their own, whatever time it claims
    forged = seals.sign(agreement, certificate_pem=key.certificate_pem,
                        private_key_pem=decrypt(key.private_key_encrypted),
                        authority_pem=key.authority.certificate_pem, unit_name=key.subject, reason="伪造",
                        field_name=None)
    [still] = verify_pdf(genuine)
    [stolen] = verify_pdf(forged)
    assert still.ok and still.revoked_at is not None
    assert stolen.intact and not stolen.trusted and stolen.revoked_at is not None
    # the unit's next seal is made with a new key
    fresh = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="新密钥")
    [check] = verify_pdf(fresh)
    assert check.ok and check.revoked_at is None and check.serial != key.serial
    assert AuditEntry.objects.filter(action="archive.seal_key_revoked", actor_id=world.sysadmin.pk).count() == 1


def test_a_key_is_revoked_once_and_only_by_an_admin_with_a_reason(world, agreement):
    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="章")
    key = _key(world.security)
    with pytest.raises(NotAllowed):
        revoke_seal_key(actor=world.officer, key=key, reason="遗失")
    with pytest.raises(ApplicationError):
        revoke_seal_key(actor=world.sysadmin, key=key, reason="")
    assert SealKey.objects.get(pk=key.pk).revoked_at is None
    revoke_seal_key(actor=world.sysadmin, key=key, reason="遗失")
    with pytest.raises(StateConflict):
        revoke_seal_key(actor=world.sysadmin, key=key, reason="再次")


def test_the_back_office_replaces_and_revokes_keys_with_a_reason(world, agreement, client):
    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="章")
    key = _key(world.security)
    _signed_in_staff(client, world.sysadmin)

    page = client.get(f"/admin/archive/sealkey/{key.pk}/change/")
    assert page.status_code == 200 and "更换密钥" in page.text and "吊销此密钥" in page.text
    assert client.get(f"/admin/archive/sealkey/{key.pk}/renew/").status_code == 200
    refused = client.post(f"/admin/archive/sealkey/{key.pk}/renew/", {"reason": ""})
    assert refused.status_code == 200 and _key(world.security) == key  # the form asks again
    assert client.post(f"/admin/archive/sealkey/{key.pk}/renew/", {"reason": "人员变动"}).status_code == 302
    renewed = _key(world.security)
    assert renewed != key
    assert client.post(f"/admin/archive/sealkey/{renewed.pk}/revoke/", {"reason": "遗失"}).status_code == 302
    assert SealKey.objects.get(pk=renewed.pk).revoked_at is not None
    listing = client.get("/admin/archive/sealkey/").text
    assert "已吊销" in listing and "已停用" in listing
    # a retired key is not "renewed" (that would replace the unit's current one)
    client.post(f"/admin/archive/sealkey/{key.pk}/renew/", {"reason": "再换"})
    assert SealKey.objects.filter(org_unit=world.security).count() == 2  # nothing new was made


def test_staff_without_the_right_cannot_open_the_key_actions(world, agreement, client):
    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="章")
    key = _key(world.security)
    _signed_in_staff(client, world.officer)
    assert client.get(f"/admin/archive/sealkey/{key.pk}/renew/").status_code == 403
    assert client.post(f"/admin/archive/sealkey/{key.pk}/revoke/", {"reason": "遗失"}).status_code == 403
    assert SealKey.objects.get(pk=key.pk).revoked_at is None


def test_the_verification_page_says_a_seal_was_made_before_its_keys_revocation(world, agreement, client):
    genuine = seal_pdf(agreement, unit=world.security, actor=world.officer, reason="正常盖章")
    revoke_seal_key(actor=world.sysadmin, key=_key(world.security), reason="遗失")
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/archive/verify/", {"pdf": SimpleUploadedFile("a.pdf", genuine, "application/pdf")})
    assert page.status_code == 200
    assert "吊销" in page.text and "本文件在吊销前盖章" in page.text
