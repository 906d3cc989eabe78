import pytest

from tongban.archive.models import SealKey
from tongban.archive.services import seal_pdf

pytestmark = pytest.mark.django_db


def test_the_back_office_lists_seal_keys_without_their_private_keys(admin_client, world, agreement):
    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="一")
    key = SealKey.objects.get()

    listing = admin_client.get("/admin/archive/sealkey/")
    detail = admin_client.get(f"/admin/archive/sealkey/{key.pk}/change/")
    authority = admin_client.get("/admin/archive/sealauthority/")

    assert listing.status_code == detail.status_code == authority.status_code == 200
    assert key.serial in listing.text
    assert "保卫处" in listing.text
    for page in (listing, detail, authority):
        assert key.private_key_encrypted not in page.text
        assert "PRIVATE KEY" not in page.text
    assert "/admin/archive/sealkey/add/" not in listing.text
