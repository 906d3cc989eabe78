"""Appending to the trail. Call `record` inside the service's transaction: the entry
commits with the change or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

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


def _lock_chain() -> None:
    # SQLite: the IMMEDIATE transaction already holds the database's write lock.
    # PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback,
    # so concurrent writers take turns at the head of the chain.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _head() -> tuple[int, str]:
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS)


def _actor_fields(actor, role: str | None, org_unit) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_name": "系统", "role": role or "", "org_unit_id": None,
                "org_unit_name": ""}
    if org_unit is None or role is None:
        from tongban.accounts.access import memberships_of

        first = next(iter(memberships_of(actor)), None)
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
    redacted: anything shaped like an ID number is masked before it is hashed."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return record_many(
        actor=actor,
        events=[Event(action, summary, object_type, object_id, details)],
        role=role,
        org_unit=org_unit,
    )[0]


def record_many(*, actor, events: Iterable[Event], role: str | None = None, org_unit=None) -> list[AuditEntry]:
    """Append a batch of entries for one actor in one go (an import's rows)."""
    events = list(events)
    if not events:
        return []
    who = _actor_fields(actor, role, org_unit)
    where = current_origin()
    with transaction.atomic():
        _lock_chain()
        seq, prev = _head()
        now = timezone.now()
        entries = []
        for event in events:
            seq += 1
            entry = AuditEntry(
                seq=seq,
                created_at=now,
                action=event.action,
                object_type=event.object_type,
                object_id=str(event.object_id),
                summary=redact(event.summary)[:255],
                ip=where.ip,
                user_agent=where.user_agent,
                details=redact(event.details or {}),
                prev_hash=prev,
                **who,
            )
            entry.hash = entry_hash(tuple(getattr(entry, f) for f in FIELDS))
            prev = entry.hash
            entries.append(entry)
        return AuditEntry.objects.bulk_create(entries, batch_size=2000)
