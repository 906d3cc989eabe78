"""Delivering webhooks: the outbox of events, claimed the way notify's relay claims its
messages (a short transaction, `FOR UPDATE SKIP LOCKED` on PostgreSQL, a lease and a
claim token), posted outside any transaction, signed per Standard Webhooks.

Order per subject: a delivery waits while an earlier event of the same subject to the same
subscription is not yet delivered (a dead one no longer holds the line; it waits in the
dead-letter list for a replay). Retries back off exponentially — 10 s, 20 s, 40 s … capped
at 2 hours — and a delivery is given up when it has failed for longer than
WEBHOOK_GIVE_UP_HOURS (26 by default, so at least a day of retries), or at once when the
receiver says 410 Gone."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tongban.interop.events import cloudevent
from tongban.interop.models import Delivery
from tongban.lib.masking import redact_text

log = logging.getLogger(__name__)
S = Delivery.Status
OPEN = [S.PENDING, S.FAILED, S.SENDING]


def _setting(name: str, default):
    return getattr(settings, name, default)


@dataclass
class Tally:
    delivered: int = 0
    failed: int = 0
    dead: int = 0


def _due(now):
    earlier_open = Delivery.objects.filter(subscription=OuterRef("subscription"), subject=OuterRef("subject"),
                                           event__lt=OuterRef("event"), status__in=OPEN)
    ready = (Q(status__in=[S.PENDING, S.FAILED], next_attempt_at__lte=now)
             | Q(status=S.SENDING, lease_until__lt=now))
    return Delivery.objects.filter(ready).exclude(Exists(earlier_open))


def claim(limit: int) -> list[Delivery]:
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = _due(now).order_by("event_id", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids).update(
            status=S.SENDING, claim=token, attempts=F("attempts") + 1,
            lease_until=now + timedelta(seconds=_setting("WEBHOOK_LEASE_SECONDS", 60)))
    return list(Delivery.objects.filter(pk__in=ids, claim=token).select_related("event", "subscription")
                .order_by("event_id"))


def signed(delivery: Delivery, now=None) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers (webhook-id, -timestamp, -signature)."""
    now = now or timezone.now()
    body = json.dumps(cloudevent(delivery.event), ensure_ascii=False, separators=(",", ":"))
    message_id = f"msg_{delivery.event_id}_{delivery.subscription_id}"
    signature = Webhook(delivery.subscription.secret).sign(message_id, now, body)
    return body.encode(), {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp())),
                           "webhook-signature": signature, "Content-Type": "application/cloudevents+json"}


MAX_ANSWER = 64 * 1024


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=_setting("WEBHOOK_TIMEOUT_SECONDS", 10)) as response:
            return response.status, response.read(MAX_ANSWER)
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _record(delivery: Delivery, **outcome) -> int:
    return Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim, status=S.SENDING).update(**outcome)


def deliver(delivery: Delivery, tally: Tally) -> None:
    body, headers = signed(delivery)
    started = time.monotonic()
    status, error, answer = None, "", b""
    try:
        status, answer = _post(delivery.subscription.url, body, headers)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    latency = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    if status is not None and 200 <= status < 300:
        if _record(delivery, status=S.DELIVERED, delivered_at=now, last_status=status, last_error="",
                   latency_ms=latency, lease_until=None, next_attempt_at=None):
            tally.delivered += 1
            if delivery.subscription.service_id:
                from tongban.interop.push import answered

                answered(delivery, answer)
        return
    give_up_at = delivery.since + timedelta(hours=_setting("WEBHOOK_GIVE_UP_HOURS", 26))
    dead = status == 410 or now >= give_up_at
    delay = min(_setting("WEBHOOK_RETRY_CAP_SECONDS", 7200),
                _setting("WEBHOOK_RETRY_BASE_SECONDS", 10) * 2 ** max(delivery.attempts - 1, 0))
    recorded = _record(delivery, status=S.DEAD if dead else S.FAILED, last_status=status,
                       last_error=redact_text(error or f"HTTP {status}")[:2000], latency_ms=latency,
                       lease_until=None, next_attempt_at=None if dead else now + timedelta(seconds=delay))
    if not recorded:
        return
    if dead:
        tally.dead += 1
        from tongban.interop.services import dead_lettered

        dead_lettered(delivery)
        if delivery.subscription.service_id:
            from tongban.interop.push import silent

            silent(delivery)
    else:
        tally.failed += 1
    log.warning("webhook delivery %s to %s: %s (attempt %s)", delivery.pk, delivery.subscription.url,
                "given up" if dead else "will retry", delivery.attempts)


def relay(*, batch: int = 50, budget_seconds: float = 50.0) -> Tally:
    tally = Tally()
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        claimed = claim(batch)
        if not claimed:
            break
        for delivery in claimed:
            deliver(delivery, tally)
    return tally
