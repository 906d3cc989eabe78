"""The auditors' reader of the trail. It applies the caller's scope, so it sits with the
access rules in accounts, above the trail itself (audit, which every app below writes to)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from tongban.accounts.access import authorize, scope
from tongban.accounts.roles import Action
from tongban.audit.models import AuditEntry


def trail(
    *,
    user,
    object_type: str = "",
    object_id: str = "",
    actor_id: int | None = None,
    actor_name: str = "",
    action: str = "",
    since: date | None = None,
    until: date | None = None,
    export: bool = False,
) -> QuerySet[AuditEntry]:
    """Entries the user may read, newest first. Auditors reach the whole trail; anyone
    granted less sees nothing, as entries carry no unit path to scope by (the filter
    fails closed). `actor_id` is one account's trail; `actor_name` matches the name
    snapshot, which two people can share."""
    act = Action.AUDIT_EXPORT if export else Action.AUDIT_VIEW
    authorize(user, act)
    qs = scope(AuditEntry.objects.all(), user, act, unit_field=None)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if actor_name:
        qs = qs.filter(actor_name=actor_name)
    if action:
        qs = qs.filter(action__startswith=action)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-seq")
