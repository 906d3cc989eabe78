"""How personal numbers are shown to someone who has not asked to see them."""

from __future__ import annotations

import re

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_id_number(value: str) -> str:
    """110105199001010021 -> 110105********0021 (region and last four stay)."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def redact_text(text: str) -> str:
    """Mask anything in free text that looks like an ID number."""
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group(1)), text)


def redact(value):
    """Mask ID-like strings anywhere inside a JSON-like value."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {str(k): redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def contains_id_number(text: str) -> bool:
    return bool(_ID_LIKE.search(text))
