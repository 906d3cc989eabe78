"""Acts become events for other systems. Every act writes its trail entry
(`audit.services.record`) in its own transaction; interop listens there, and for the acts
a system may subscribe to it writes an Event and one Delivery per interested
subscription, in that same transaction: an act that rolls back sends nothing, one that
commits is delivered at least once."""

from __future__ import annotations

import uuid

from django.db import transaction

from tongban.lib.masking import redact

# the trail's action → the event type other systems see (a public contract: add, never rename)
EVENT_TYPES = {
    "case.submit": "case.submitted",
    "case.accept": "case.step_decided",
    "case.refuse": "case.step_decided",
    "case.return": "case.step_decided",
    "case.approve": "case.step_decided",
    "case.reject": "case.step_decided",
    "case.complete": "case.completed",
    "case.withdraw": "case.withdrawn",
    "hukou.move": "hukou.record_changed",
    "hukou.correct": "hukou.record_changed",
    "booking.book": "booking.created",
    "booking.walk_in": "booking.created",
    "booking.cancel": "booking.cancelled",
    "booking.reschedule": "booking.rescheduled",
    "booking.check_in": "booking.checked_in",
    "booking.served": "booking.served",
    "booking.no_show": "booking.no_show",
}
SUBSCRIBABLE = sorted({*EVENT_TYPES.values()} | {f"{t.split('.')[0]}.*" for t in EVENT_TYPES.values()})


def _units_of(obj) -> list:
    """The units whose data the object is, for the clients' data scopes: its own unit and
    the unit of the person it is about (a case: the handling unit, the applicant's unit
    and the unit of the person it is for)."""
    units = []
    for name in ("org_unit", "applicant_unit"):
        unit = getattr(obj, name, None)
        if unit is not None:
            units.append(unit)
    for name in ("person", "subject_person", "resource"):
        unit = getattr(getattr(obj, name, None), "org_unit", None)
        if unit is not None:
            units.append(unit)
    return units


def _subscriptions_for(event_type: str, units: list):
    from tongban.interop.models import Subscription

    live = (Subscription.objects.filter(ended_at=None, client__revoked_at=None)
            .select_related("client").prefetch_related("client__units"))
    return [sub for sub in live if sub.wants(event_type)
            and any(unit.path.startswith(scope.path) for unit in units for scope in sub.client.units.all())]


def on_record(*, actor, action: str, obj, object_type: str, object_id: str, summary: str, details) -> None:
    event_type = EVENT_TYPES.get(action)
    if event_type is None or obj is None:
        return
    units = _units_of(obj)
    subscriptions = _subscriptions_for(event_type, units) if units else []
    if not subscriptions:
        return
    from tongban.interop.models import Delivery, Event

    subject = f"{object_type}/{object_id}"
    unit = units[0]
    event = Event.objects.create(
        type=event_type, subject=subject, unit=unit,
        data={"action": action, "object_type": object_type, "object_id": object_id, "summary": str(summary),
              "details": redact(details or {}), "unit": getattr(unit, "code", None),
              "actor": str(actor) if actor is not None and getattr(actor, "is_authenticated", False) else None})
    Delivery.objects.bulk_create([Delivery(event=event, subscription=s, subject=subject, since=event.occurred_at,
                                           next_attempt_at=event.occurred_at) for s in subscriptions])
    from tongban.interop.tasks import deliver_soon

    transaction.on_commit(deliver_soon)


def cloudevent(event) -> dict:
    """The event as CloudEvents 1.0 JSON (structured mode)."""
    return {"specversion": "1.0", "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tongban:event:{event.pk}")),
            "source": "tongban", "type": event.type, "subject": event.subject,
            "time": event.occurred_at.isoformat(), "datacontenttype": "application/json", "data": event.data}

