"""Encryption of personal data at rest and the keyed blind index used to find it.

Values are encrypted with a Fernet key ring (MultiFernet): the first key encrypts, every
key decrypts, so keys rotate without downtime. Equality lookups and uniqueness use an
HMAC-SHA256 of the normalised value under a separate key (the blind index), so the
database never sees the plain value and an attacker with the database alone cannot
test guesses.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes"
        ) from exc


def key_ring() -> MultiFernet:
    return _ring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    if value == "":
        return ""
    return key_ring().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if token == "":
        return ""
    try:
        return key_ring().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "a stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt under the newest key (the first of the ring)."""
    if token == "":
        return ""
    return key_ring().rotate(token.encode()).decode()


def is_current(token: str) -> bool:
    """Whether `token` is encrypted under the newest key (nothing to rotate)."""
    if token == "":
        return True
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed, deterministic digest of `value` for exact lookup; `purpose` separates
    the indexes of different kinds of value (an ID number never matches a phone)."""
    if value == "":
        return ""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
