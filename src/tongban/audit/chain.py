"""The canonical form of an entry, its hash, and the verifier that walks the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import QuerySet

GENESIS = "0" * 64

# The fields covered by the hash, in canonical order. Adding one is a new chain format.
FIELDS = (
    "seq", "created_at", "actor_id", "actor_name", "role", "org_unit_id", "org_unit_name",
    "action", "object_type", "object_id", "summary", "ip", "user_agent", "details",
    "prev_hash",
)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values: tuple) -> bytes:
    """`values` in FIELDS order, as read from the database or about to be written."""
    row = list(values)
    row[1] = _stamp(row[1])
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


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
    a hash that does not match the entry's content."""
    expected_seq = 1
    prev = GENESIS
    count = 0
    rows = entries.order_by("seq").values_list(*FIELDS, "hash").iterator(chunk_size=chunk_size)
    sha = hashlib.sha256
    dumps = json.dumps
    for row in rows:
        seq = row[0]
        if seq != expected_seq:
            return Verdict(count, False, expected_seq, f"缺少第 {expected_seq} 条记录（下一条是第 {seq} 条）")
        if row[14] != prev:
            return Verdict(count, False, seq, f"第 {seq} 条的前序哈希与第 {seq - 1} 条不符")
        values = list(row[:15])
        values[1] = _stamp(values[1])
        digest = sha(
            dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        if digest != row[15]:
            return Verdict(count, False, seq, f"第 {seq} 条的内容与其哈希不符（已被改动）")
        prev = row[15]
        expected_seq += 1
        count += 1
        if progress and count % chunk_size == 0:
            progress(count)
    return Verdict(count, True)
