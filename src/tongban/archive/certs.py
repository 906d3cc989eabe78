"""Making keys and X.509 certificates for the internal seal CA and the units' seals.

Pure functions over `cryptography`: nothing here touches the database. Keys are EC
P-256 (small, fast to make, accepted by PAdES validators); the CA's certificate may
only sign certificates, a seal's may only sign documents (non-repudiation, as pyHanko
expects of a signer by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_NAME = "通办内部签章 CA"  # i18n: data (the CA certificate's subject)
CA_YEARS = 30
SEAL_YEARS = 10
ORGANIZATION = "通办"  # i18n: data (the certificates' organization)


@dataclass(frozen=True)
class KeyMaterial:
    certificate_pem: str
    private_key_pem: str
    serial: str  # hex
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _material(certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey, subject: str) -> KeyMaterial:
    return KeyMaterial(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        serial=format(certificate.serial_number, "x"),
        subject=subject,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def make_authority(*, now: dt.datetime) -> KeyMaterial:
    """A self-signed root for the seals, valid for CA_YEARS."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(CA_NAME)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
        ), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _material(certificate, key, CA_NAME)


def issue_seal(*, authority_certificate_pem: str, authority_key_pem: str, common_name: str,
               now: dt.datetime) -> KeyMaterial:
    """A fresh seal key for `common_name` (a unit's name), certified by the authority."""
    ca_certificate = x509.load_pem_x509_certificate(authority_certificate_pem.encode())
    ca_key = serialization.load_pem_private_key(authority_key_pem.encode(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    not_after = min(now + dt.timedelta(days=365 * SEAL_YEARS), ca_certificate.not_valid_after_utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
        ), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return _material(certificate, key, common_name)
