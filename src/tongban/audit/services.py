"""Appending to the trail. Call `record` inside the service's transaction: the entry
commits with the change or not at all. An act of several writes can wrap them in
`appended_last`, so that its entries (its own and those of the other apps it calls)
are appended as its last write."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from tongban.audit.chain import FIELDS, GENESIS, entry_hash
from tongban.audit.context import current_origin
from tongban.audit.models import AuditEntry
from tongban.lib.masking import redact

# Any constant will do; it names the lock that serialises appends on PostgreSQL.
_CHAIN_LOCK = 0x7B4A11D1


@dataclass
class Event:
    """One thing to put on the trail; `record_many` takes a batch of them."""

    action: str
    summary: str
    object_type: str = ""
    object_id: str = ""
    details: dict[str, Any] | None = None


def _lock_chain_and_read_head() -> tuple[int, str]:
    """Take the chain (SQLite: the IMMEDIATE transaction already holds the database's
    write lock; PostgreSQL: a transaction-scoped advisory lock, released at commit or
    rollback, so concurrent writers take turns at the head) and read its head: the
    last entry's seq and hash. On PostgreSQL both go in one round trip; the head is
    read by the second statement, after the lock is held."""
    head = f"SELECT seq, hash FROM {connection.ops.quote_name(AuditEntry._meta.db_table)} ORDER BY seq DESC LIMIT 1"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK}); {head}")
            cursor.nextset()
        else:
            cursor.execute(head)
        last = cursor.fetchone()
    return (last[0], last[1]) if last else (0, GENESIS)


def _no_membership(actor) -> Any | None:
    return None


# Memberships are accounts', a layer above the trail: accounts registers how to find an
# actor's first membership (with `role` and `org_unit`) when it starts.
_first_membership: Callable[[Any], Any | None] = _no_membership


def register_first_membership(lookup: Callable[[Any], Any | None]) -> None:
    """Called by accounts at start-up; entries made before then name no role."""
    global _first_membership
    _first_membership = lookup


def _actor_fields(actor, role: str | None, org_unit) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_name": gettext("System"), "role": role or "", "org_unit_id": None,
                "org_unit_name": ""}
    if role is None:  # a role given is the one acted in (with its unit, if any); else their first
        first = _first_membership(actor)
        if first is not None:
            role = role or first.role
            org_unit = org_unit or first.org_unit
    return {
        "actor_id": actor.pk,
        "actor_name": str(actor)[:150],
        "role": role or "",
        "org_unit_id": org_unit.pk if org_unit else None,
        "org_unit_name": org_unit.name if org_unit else "",
    }


def _storable(value):
    """`value` as it will read back from the database, so the hash taken now still
    matches at verification. PostgreSQL's jsonb rewrites some numbers (1e20 comes back
    as an integer, -0.0 as 0), so numbers other than integers are kept as text; and
    neither jsonb nor a text column takes a NUL character."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


@dataclass
class _Held:
    """The `appended_last` block under way: its entries (actor, role, org unit, event,
    where its seq goes once appended), the savepoint depth it began at, its role."""

    entries: list[tuple[Any, str | None, Any, Event, dict]]
    depth: int
    role: str | None


_held: ContextVar[_Held | None] = ContextVar("audit_held", default=None)


def _savepoints() -> int:
    """How many savepoints the transaction has open (an atomic block without one
    cannot roll back on its own: its failure fails the whole transaction)."""
    return sum(1 for sid in connection.savepoint_ids if sid is not None)


@contextmanager
def appended_last(*, role: str | None = None) -> Iterator[None]:
    """One transaction (a savepoint inside another) whose audit entries — those
    `record` makes within it, its own and the other apps' it calls — are held back and
    appended as its last write. Appending takes the trail's lock, which every other
    writer waits on until the holder commits: taken last, it is held for the commit
    alone, not for the whole act. An exception leaving the block rolls back its writes
    and appends nothing. `role` is the one the act is done in, for the entries of a
    signed-in actor that name none (unnamed, the actor's first role, a query). A block
    within another joins it (and its role is the outer one's). An entry made inside a
    savepoint opened within the block is appended at once: that savepoint may roll
    back on its own, and its entry with it."""
    if _held.get() is not None:
        yield
        return
    with transaction.atomic():
        held = _Held([], _savepoints(), role)
        token = _held.set(held)
        try:
            yield
        finally:
            _held.reset(token)
        # one append per actor, role and unit in a row (an entry naming the act's own
        # role goes with those that take it by default)
        for (actor, role_of, unit), same in groupby(held.entries,
                                                    key=lambda h: (h[0], h[1] or _default(h[0], role), h[2])):
            same = list(same)
            last = record_many(actor=actor, events=[h[3] for h in same], role=role_of, org_unit=unit)
            for n, h in enumerate(same):
                h[4]["seq"] = last - len(same) + 1 + n


def _default(actor, role: str | None) -> str | None:
    """The act's role, for a signed-in actor's entry (the system has none)."""
    return role if actor is not None and getattr(actor, "is_authenticated", False) else None


def _read_back(slot: dict) -> AuditEntry:
    if "seq" not in slot:
        raise LookupError("an entry held back by appended_last is read only after its block ends")
    return AuditEntry.objects.get(seq=slot["seq"])


# Who else hears of every act, in its transaction: interop turns acts into the events
# other systems subscribed to (the outbox of its webhooks). Filled at start-up.
Listener = Callable[..., None]
_listeners: list[Listener] = []


def register_listener(listener: Listener) -> None:
    """`listener(actor=, action=, obj=, object_type=, object_id=, summary=, details=)` is
    called by `record` for every entry, inside the act's transaction; what it writes
    commits or rolls back with the act."""
    if listener not in _listeners:
        _listeners.append(listener)


def record(
    *,
    actor,
    action: str,
    summary: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    details: dict[str, Any] | None = None,
    role: str | None = None,
    org_unit=None,
) -> AuditEntry:
    """Append one entry. `obj`, if given, supplies object type and id. Details are
    redacted: anything shaped like an ID number is masked before it is hashed. Details
    hold strings, integers, booleans, None, lists and dicts; other numbers are stored
    as text (see `_storable`)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    for listener in _listeners:
        listener(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                 summary=summary, details=details)
    held = _held.get()
    if held is not None and _savepoints() == held.depth:
        slot: dict = {}
        # the details as they are now: the entry is hashed only at the act's end
        held.entries.append((actor, role, org_unit, Event(action, summary, object_type, object_id,
                                                          copy.deepcopy(details)), slot))
        return SimpleLazyObject(lambda: _read_back(slot))
    if held is not None:
        role = role or _default(actor, held.role)
    # no savepoint (two statements fewer on every act): a failed append fails the
    # caller's whole transaction, which is what the trail needs anyway
    with transaction.atomic(savepoint=False):
        seq = record_many(
            actor=actor,
            events=[Event(action, summary, object_type, object_id, details)],
            role=role,
            org_unit=org_unit,
        )
        # read back only if the caller looks: most never do, and every audited act
        # would pay a query for it
        return SimpleLazyObject(lambda: AuditEntry.objects.get(seq=seq))


def record_many(*, actor, events: Iterable[Event], role: str | None = None, org_unit=None) -> int:
    """Append a batch of entries for one actor in one go (an import's rows, an act's
    entries), in the caller's transaction; return the last entry's seq (0 for no
    events). On PostgreSQL the chain's lock is held from here until that transaction
    ends, and every other writer of the trail waits for it: make this the last write
    before the commit."""
    events = list(events)
    if not events:
        return 0
    who = _actor_fields(actor, role, org_unit)
    where = current_origin()
    details_field = AuditEntry._meta.get_field("details")
    with transaction.atomic(savepoint=False):
        seq, prev = _lock_chain_and_read_head()
        now = timezone.now()
        stored_now = AuditEntry._meta.get_field("created_at").get_db_prep_save(now, connection)
        rows = []
        for event in events:
            seq += 1
            details = _storable(redact(event.details or {}))
            # FIELDS order, as chain.verify reads them back.
            values = (seq, now, who["actor_id"], who["actor_name"], who["role"], who["org_unit_id"],
                      who["org_unit_name"], event.action, event.object_type, str(event.object_id),
                      _storable(redact(event.summary))[:255], where.ip, where.user_agent, details, prev)
            digest = entry_hash(values)
            rows.append((seq, stored_now, *values[2:13], details_field.get_db_prep_save(details, connection),
                         prev, digest))
            prev = digest
        _insert(rows)
    return seq


def _insert(rows: list[tuple]) -> None:
    """Write rows of FIELDS then hash with one executemany. An import appends tens of
    thousands of entries; building model instances and compiling bulk_create's SQL for
    them cost more than hashing and writing them (see bench/import_people.py)."""
    meta = AuditEntry._meta
    quote = connection.ops.quote_name
    columns = {f.attname: f.column for f in meta.concrete_fields}
    names = [*FIELDS, "hash"]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(columns[n]) for n in names)}) "
           f"VALUES ({', '.join(['%s'] * len(names))})")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 50:
            # COPY is parsed once; each statement of an executemany is parsed and
            # planned on its own (an import's 50,000 entries: 4.7 s → well under 1 s)
            copy_sql = (f"COPY {quote(meta.db_table)} ({', '.join(quote(columns[n]) for n in names)}) "
                        "FROM STDIN")
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)


@transaction.atomic
def record_export(*, actor, filters: dict[str, Any]) -> AuditEntry:
    """An export of the trail is itself a sensitive read: who took which slice, when."""
    kept = {k: str(v) for k, v in filters.items() if v not in (None, "")}
    return record(actor=actor, action="audit.export", object_type="audit.trail",
                  summary=gettext("Exported the audit trail"), details={"filters": kept})
