"""/healthz: whether this process can serve, for a load balancer and for people.

It reports the database (a query answers), the job queue (its storage answers, with
how many jobs wait) and the national calendar (whether this year and the next have
complete holiday data: without it deadlines are estimates). Nothing secret: no
address, name or setting. 503 when the database or the queue fails; a missing
calendar year is a warning (200), since every page still works."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure of the database is the answer, not a 500
        log.exception("healthz: the database does not answer")
        return {"ok": False}
    return {"ok": True}


def _queue() -> dict:
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return {"ok": True, "immediate": True}
    try:
        pending = HUEY.pending_count()
    except Exception:  # the queue's storage (SQLite file, Redis) failing is the answer
        log.exception("healthz: the job queue does not answer")
        return {"ok": False}
    return {"ok": True, "pending": pending}


def _calendar(database_ok: bool) -> dict:
    if not database_ok:
        return {"ok": False}
    from tongban.catalog import workdays

    this = timezone.localdate().year
    missing = [year for year in (this, this + 1) if not workdays.year_has_data(year)]
    return {"ok": not missing, "years_without_data": missing}


@never_cache
@require_GET
def healthz(request):
    database = _database()
    queue = _queue()
    calendar = _calendar(database["ok"])
    failing = not (database["ok"] and queue["ok"])
    status = "fail" if failing else ("warn" if not calendar["ok"] else "ok")
    return JsonResponse({"status": status, "database": database, "queue": queue, "calendar": calendar},
                        status=503 if failing else 200)
