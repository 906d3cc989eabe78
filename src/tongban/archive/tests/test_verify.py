"""Checking seals: a changed byte, bytes appended after the last seal, a seal from a
key that is not ours, and files that are not PDFs at all."""

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone

from tongban.archive import seals
from tongban.archive.selectors import verify_pdf
from tongban.archive.services import seal_pdf
from tongban.lib.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(world, agreement) -> bytes:
    return seal_pdf(agreement, unit=world.security, actor=world.officer, reason="放弃迁移协议")


def test_a_byte_changed_inside_the_signed_range_shows_as_not_intact(sealed):
    # The document's own metadata, well inside the first (signed) revision.
    at = sealed.index(b"ReportLab PDF Library")
    tampered = sealed[:at] + b"X" + sealed[at + 1:]

    [check] = verify_pdf(tampered)

    assert not check.intact
    assert not check.ok


def test_bytes_appended_after_the_last_seal_show_as_not_covered(sealed):
    [check] = verify_pdf(sealed + b"\n% appended after sealing\n")

    assert check.intact and check.trusted
    assert not check.covers_whole_file


def test_an_update_appended_after_the_last_seal_shows_as_not_covered(sealed):
    from io import BytesIO

    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    info = writer.trailer["/Info"].get_object()
    info["/Title"] = pdf_string("改过的标题")
    writer.update_container(info)
    out = BytesIO()
    writer.write(out)

    [check] = verify_pdf(out.getvalue())

    assert check.intact
    assert not check.covers_whole_file


def _foreign_self_signed() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "保卫处")])  # same name, not our key
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=False, encipher_only=False, decipher_only=False,
        ), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return cert_pem, key_pem


def test_a_seal_from_a_foreign_self_signed_key_is_intact_but_not_trusted(world, agreement, sealed):
    cert_pem, key_pem = _foreign_self_signed()

    forged = seals.sign(agreement, certificate_pem=cert_pem, private_key_pem=key_pem, authority_pem=cert_pem,
                        unit_name="保卫处", reason="伪造")

    [check] = verify_pdf(forged)
    assert check.unit_name == "保卫处"
    assert check.intact
    assert not check.trusted


def test_a_foreign_seal_added_after_ours_is_flagged_and_ours_still_holds(sealed):
    cert_pem, key_pem = _foreign_self_signed()

    both = seals.sign(sealed, certificate_pem=cert_pem, private_key_pem=key_pem, authority_pem=cert_pem,
                      unit_name="保卫处", reason="伪造")

    ours, theirs = verify_pdf(both)
    assert ours.intact and ours.trusted
    assert theirs.intact and not theirs.trusted


def test_before_any_seal_was_made_nothing_is_trusted(agreement):
    cert_pem, key_pem = _foreign_self_signed()
    forged = seals.sign(agreement, certificate_pem=cert_pem, private_key_pem=key_pem, authority_pem=cert_pem,
                        unit_name="保卫处", reason="伪造")

    [check] = verify_pdf(forged)

    assert not check.trusted


def test_a_document_without_seals_gives_no_checks(agreement):
    assert verify_pdf(agreement) == []


@pytest.mark.parametrize(("data", "code"), [
    (b"", "pdf_not_pdf"),
    (b"hello", "pdf_not_pdf"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 4, "pdf_unreadable"),
    (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "pdf_unreadable"),
])
def test_what_is_not_a_readable_pdf_is_refused_with_a_message(data, code):
    with pytest.raises(ApplicationError) as refused:
        verify_pdf(data)

    assert refused.value.code == code
    assert "PDF" in refused.value.message


def test_a_truncated_sealed_file_is_refused_or_reported_broken(sealed):
    try:
        checks = verify_pdf(sealed[: len(sealed) * 2 // 3])
    except ApplicationError as refused:
        assert refused.code == "pdf_unreadable"
    else:
        assert not any(c.ok for c in checks)
