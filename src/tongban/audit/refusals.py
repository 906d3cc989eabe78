"""Refused reads on the trail: someone asked for a record that is not theirs to see (a
case, a household record, a person, a file) and was answered 404 or 403.

Each refusal could be one request of a script walking ids, so the trail keeps at most
one entry per actor (an address, when no one is signed in) and kind of record per
window. The window is kept in the cache, claimed with `add`, which is atomic in local
memory and in Redis alike: two refusals at once still make one entry."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext

from tongban.audit.context import current_origin
from tongban.audit.services import record

WINDOW_SECONDS = 5 * 60
ACTION = "access.refused"


def _who(actor) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return f"user:{actor.pk}"
    return f"ip:{current_origin().ip or '-'}"


def record_refusal(*, actor, object_type: str, object_id: str, label: str = "", reason: str = "") -> bool:
    """Put one refused access on the trail, unless the same actor was already refused
    a record of the same kind within the window; return whether an entry was written.

    Meant for the read path (a selector raising 404 or 403), outside any transaction
    of an act: inside one that rolls back, the entry goes with it while the window
    stays claimed."""
    key = f"audit:refused:{_who(actor)}:{object_type}"
    if not cache.add(key, 1, timeout=WINDOW_SECONDS):
        return False
    try:
        with transaction.atomic():
            record(actor=actor, action=ACTION, object_type=object_type, object_id=str(object_id)[:64],
                   summary=gettext("Access refused: %(what)s #%(id)s")
                   % {"what": label or object_type, "id": object_id},
                   details={"reason": reason, "window_seconds": WINDOW_SECONDS})
    except Exception:
        cache.delete(key)  # not written: the next refusal tries again
        raise
    return True
