"""The canonical form of an entry, its hash, and the verifier that walks the chain."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from multiprocessing.util import Finalize

from django.db import connections
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

GENESIS = "0" * 64

# The fields covered by the hash, in canonical order. Adding one is a new chain format.
FIELDS = (
    "seq", "created_at", "actor_id", "actor_name", "role", "org_unit_id", "org_unit_name",
    "action", "object_type", "object_id", "summary", "ip", "user_agent", "details",
    "prev_hash",
)

# Entries per span: the unit a worker checks and the step progress is reported in.
SPAN = 50_000
_FETCH = 5_000


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


def _stamp_stored(text: str) -> str:
    """_stamp of a `created_at` as SQLite stores it: Django writes str() of the naive
    UTC datetime, "2025-09-01 08:00:00.000123", or without the fraction when it is
    zero. Cut and pasted rather than parsed; any other shape is parsed as Django's own
    converter would, and text that is no date at all stays as it is, so that it cannot
    match the hash."""
    if len(text) == 26:
        return f"{text[:10]}T{text[11:]}Z"
    if len(text) == 19:
        return f"{text[:10]}T{text[11:]}.000000Z"
    value = parse_datetime(text)
    return _stamp(value) if value else text


# One encoder, built once: json.dumps with options builds a new one for every call.
# check_circular only guards against a container holding itself, which nothing read
# back from JSON can do; without it every encode is a fifth cheaper. The bytes are
# the same.
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), check_circular=False).encode


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


@dataclass(frozen=True)
class _Reader:
    """How to read the chain's raw rows, span by span: small and picklable, so that a
    worker process can be handed one.

    Rows come as the driver returns them, without the ORM's per-value converters (a
    million entries are otherwise half conversion), with `created_at` and `details` as
    text. PostgreSQL renders `created_at` in the canonical form itself; SQLite hands
    back what Django stored, which `_stamp_stored` cuts into shape. Neither builds a
    datetime per entry. A span is read with a plain cursor: on PostgreSQL it arrives
    in one reply (some 20 MB for 50,000 entries), which costs the client a third less
    than a server-side cursor's FETCH after FETCH."""

    alias: str
    table: str
    seq: str
    columns: str
    stamped: bool

    @classmethod
    def of(cls, entries: QuerySet) -> _Reader:
        connection = connections[entries.db]
        quote = connection.ops.quote_name
        meta = entries.model._meta
        columns = [quote(meta.get_field(name).column) for name in (*FIELDS, "hash")]
        stamped = connection.vendor == "postgresql"
        if stamped:
            columns[1] = f"""to_char({columns[1]} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
            columns[13] = f"{columns[13]}::text"
        else:
            # No declared type, so the sqlite3 module's datetime converter leaves it be.
            columns[1] = f"CAST({columns[1]} AS text)"
        return cls(entries.db, quote(meta.db_table), columns[0], ", ".join(columns), stamped)

    def last_seq(self) -> int | None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(f"SELECT MAX({self.seq}) FROM {self.table}")
            return cursor.fetchone()[0]

    def next_seq(self, at_least: int) -> int | None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(f"SELECT MIN({self.seq}) FROM {self.table} WHERE {self.seq} >= %s", [at_least])
            return cursor.fetchone()[0]

    def chunks(self, after: int | None, upto: int) -> Iterator[list[tuple]]:
        """The rows with `after` < seq <= `upto`, in seq order. The first span has no
        lower bound, so that every row up to the head is read by exactly one span."""
        where, params = f"{self.seq} <= %s", [upto]
        if after is not None:
            where, params = f"{self.seq} > %s AND {where}", [after, upto]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(f"SELECT {self.columns} FROM {self.table} WHERE {where} ORDER BY {self.seq}", params)
            while rows := cursor.fetchmany(_FETCH):
                yield rows


@dataclass
class _Span:
    """What checking one span found. Its first entry's link to the span before is left
    to the caller, who knows that span's last hash: hence `first_prev`."""

    start: int
    count: int = 0  # entries that hold, from `start` on
    first_prev: str | None = None  # prev_hash of the entry at `start`, when it is there
    last_hash: str = ""
    bad: tuple[int, str] | None = None  # the first entry in the span that does not hold, and why


def _check_span(reader: _Reader, bounds: tuple[int | None, int]) -> _Span:
    """The entries with `after` < seq <= `upto`. Each entry's hash depends on nothing
    but its own stored columns, `prev_hash` among them, so a span can be checked on its
    own, in any process."""
    after, upto = bounds
    span = _Span(start=1 if after is None else after + 1)
    expected = span.start
    prev = None
    sha = hashlib.sha256
    encode = _encode
    loads = json.loads
    stamp = None if reader.stamped else _stamp_stored
    for rows in reader.chunks(after, upto):
        for row in rows:
            seq = row[0]
            if seq != expected:
                span.bad = (expected, gettext("Entry %(seq)s is missing (the next is entry %(next)s)")
                            % {"seq": expected, "next": seq})
                return span
            if prev is None:
                span.first_prev = row[14]
            elif row[14] != prev:
                span.bad = (seq, gettext("Entry %(seq)s's previous hash differs from entry %(previous)s")
                                  % {"seq": seq, "previous": seq - 1})
                return span
            values = list(row[:15])
            if stamp:
                values[1] = stamp(values[1])
            try:
                values[13] = loads(values[13])
                intact = sha(encode(values).encode()).hexdigest() == row[15]
            except ValueError:  # details that are no longer JSON
                intact = False
            if not intact:
                span.bad = (seq, gettext("Entry %(seq)s differs from its hash (it was altered)") % {"seq": seq})
                return span
            prev = span.last_hash = row[15]
            expected += 1
            span.count += 1
    if expected <= upto:
        after_gap = reader.next_seq(expected)
        span.bad = (expected, gettext("Entry %(seq)s is missing (the next is entry %(next)s)")
                    % {"seq": expected, "next": after_gap} if after_gap is not None
                    else gettext("Entry %(seq)s is missing") % {"seq": expected})
    return span


def _worker_started() -> None:
    # A worker opens its own connections; close them when it is told to stop.
    Finalize(None, connections.close_all, exitpriority=0)


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _can_fork_for(alias: str) -> bool:
    """Workers read through connections of their own, so they must be able to see what
    this one sees: not from inside a transaction (its snapshot and its uncommitted
    entries are its own), and not an in-memory SQLite database."""
    connection = connections[alias]
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return False
    return "fork" in multiprocessing.get_all_start_methods()


def verify(
    entries: QuerySet,
    *,
    workers: int | None = None,
    span: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Verdict:
    """Walk the chain from the first entry and name the first link that does not hold:
    a missing sequence number, a `prev_hash` that is not the previous entry's hash, or
    a hash that does not match the entry's content.

    `entries` is the whole trail (`AuditEntry.objects.all()`, on any database); a
    filtered one is refused, since a slice of the chain cannot be walked from the
    start. The chain is walked up to the head as it is when the walk begins.

    Spans of `span` entries (SPAN by default) are checked by `workers` processes (one per CPU by
    default), each with its own connection, and joined in order: each span's first
    link against the span before, then the span's own verdict. So the first failure
    named is the first in the chain, exactly as a walk in one process would name it,
    which is what happens inside a transaction, for a short chain or with workers=1."""
    if entries.query.has_filters():
        raise ValueError("verify walks the whole chain; pass the unfiltered trail")
    reader = _Reader.of(entries)
    head = reader.last_seq()
    if head is None:
        return Verdict(0, True)
    head = max(head, 1)  # a chain whose only entries have seq <= 0 still lacks entry 1
    span = span or SPAN
    spans = [(after or None, min(after + span, head)) for after in range(0, head, span)]
    check = partial(_check_span, reader)
    workers = min(workers or default_workers(), len(spans))
    if workers < 2 or not _can_fork_for(reader.alias):
        return _joined(map(check, spans), progress)
    # A forked child must not share its parent's open connection: close them all first.
    connections.close_all()
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_worker_started)
    try:
        return _joined(pool.map(check, spans), progress)
    finally:
        # After a break, spans not yet begun are dropped and those under way finish:
        # a worker is never killed, so never while it holds a lock its queue shares.
        pool.shutdown(cancel_futures=True)


def _joined(spans: Iterable[_Span], progress: Callable[[int], None] | None) -> Verdict:
    """The chain's verdict from its spans' verdicts, taken in chain order."""
    count = 0
    prev = GENESIS
    for span in spans:
        # The link into the span is checked before anything inside it, as a walk in one
        # process would check it; a missing first entry comes before even that.
        if span.first_prev is not None and span.first_prev != prev:
            return Verdict(count, False, span.start,
                           gettext("Entry %(seq)s's previous hash differs from entry %(previous)s")
                           % {"seq": span.start, "previous": span.start - 1})
        count += span.count
        if span.bad:
            return Verdict(count, False, *span.bad)
        prev = span.last_hash
        if progress:
            progress(count)
    return Verdict(count, True)
