"""The canonical form of an entry, its hash, and the verifier that walks the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import QuerySet
from django.db.models.sql.constants import MULTI

GENESIS = "0" * 64

# The fields covered by the hash, in canonical order. Adding one is a new chain format.
FIELDS = (
    "seq", "created_at", "actor_id", "actor_name", "role", "org_unit_id", "org_unit_name",
    "action", "object_type", "object_id", "summary", "ip", "user_agent", "details",
    "prev_hash",
)


def _stamp(value: datetime) -> str:
    """2025-09-01T08:00:00.000123Z. A naive value is UTC: that is how SQLite's driver
    hands back what Django stored (isoformat: strftime costs twice as much, and
    verifying a long chain stamps every entry)."""
    if value.tzinfo is None:
        return value.isoformat(timespec="microseconds") + "Z"
    text = value.isoformat(timespec="microseconds")
    if text.endswith("+00:00"):  # already UTC, as PostgreSQL's driver gives it
        return text[:-6] + "Z"
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# One encoder, built once: json.dumps with options builds a new one for every call.
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def canonical(values: tuple) -> bytes:
    """`values` in FIELDS order, as read from the database or about to be written."""
    row = list(values)
    row[1] = _stamp(row[1])
    return _encode(row).encode()


def entry_hash(values: tuple) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


@dataclass
class Verdict:
    count: int
    ok: bool
    first_bad_seq: int | None = None
    reason: str = ""


def verify(
    entries: QuerySet, *, chunk_size: int = 10_000, progress: Callable[[int], None] | None = None
) -> Verdict:
    """Walk the chain from the first entry and name the first link that does not hold:
    a missing sequence number, a `prev_hash` that is not the previous entry's hash, or
    a hash that does not match the entry's content.

    Rows are read as the database driver returns them, in chunks from a server-side
    cursor where there is one, without the ORM's per-value converters: a million
    entries are otherwise half conversion. The driver gives `created_at` as a datetime
    (naive UTC on SQLite) and `details` as JSON text on both SQLite and PostgreSQL."""
    query = entries.order_by("seq").values_list(*FIELDS, "hash").query
    chunks = query.get_compiler(using=entries.db).execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size)
    expected_seq = 1
    prev = GENESIS
    count = 0
    sha = hashlib.sha256
    encode = _encode
    loads = json.loads
    for rows in chunks or ():
        for row in rows:
            seq = row[0]
            if seq != expected_seq:
                return Verdict(count, False, expected_seq, f"缺少第 {expected_seq} 条记录（下一条是第 {seq} 条）")
            if row[14] != prev:
                return Verdict(count, False, seq, f"第 {seq} 条的前序哈希与第 {seq - 1} 条不符")
            values = list(row[:15])
            values[1] = _stamp(values[1])
            if isinstance(values[13], str):
                values[13] = loads(values[13])
            digest = sha(encode(values).encode()).hexdigest()
            if digest != row[15]:
                return Verdict(count, False, seq, f"第 {seq} 条的内容与其哈希不符（已被改动）")
            prev = row[15]
            expected_seq += 1
            count += 1
        if progress:
            progress(count)
    return Verdict(count, True)
