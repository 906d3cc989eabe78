"""Delivering the outbox.

A relay claims a batch of due messages in one short transaction — on PostgreSQL with
`SELECT … FOR UPDATE SKIP LOCKED`, so relays running side by side never take the same
row; on SQLite the IMMEDIATE transaction already admits one writer at a time — and
marks them `sending` with a lease and a claim token. It then sends them outside any
transaction (a slow SMTP server must not hold the database) and records each outcome
only if its claim still holds. A relay that dies mid-send leaves rows `sending`; when
their lease runs out the next sweep takes them again: delivery is at least once.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.lib.masking import redact_text
from tongban.notify import transports
from tongban.notify.events import Channel
from tongban.notify.models import Message
from tongban.notify.services import backoff, opted_out
from tongban.notify.transports import Outgoing, TransportError

log = logging.getLogger(__name__)
S = Message.Status


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def tried(self) -> int:
        return self.sent + self.failed + self.dead


def _due(now):
    return (Q(status__in=[S.PENDING, S.FAILED], next_attempt_at__lte=now)
            | Q(status=S.SENDING, lease_until__lt=now))


def claim(limit: int) -> list[Message]:
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = Message.objects.filter(_due(now)).exclude(channel=Channel.INBOX).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).update(
            status=S.SENDING, claim=token, attempts=F("attempts") + 1,
            lease_until=now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS))
    return list(Message.objects.filter(pk__in=ids, claim=token).select_related("recipient"))


def _to(message: Message) -> tuple[str, int]:
    """Whom a text goes to: an account, or a person with none."""
    return ("user", message.recipient_id) if message.recipient_id else ("person", message.person_id)


def phones_of(messages: list[Message]) -> dict[tuple[str, int], str | None]:
    """The encrypted phones of a batch's SMS recipients (accounts by their person
    record, people without one by their own), in one query, decrypted one by one just
    before each is sent; None for a phone or person that opted out since the text was
    queued."""
    from tongban.people.models import Person

    texts = [_to(m) for m in messages if m.channel == Channel.SMS]
    users = {pk for who, pk in texts if who == "user"}
    people = {pk for who, pk in texts if who == "person"}
    if not texts:
        return {}
    found = Person.objects.filter(Q(account__in=users) | Q(pk__in=people)).annotate(out=Exists(opted_out()))
    phones: dict[tuple[str, int], str | None] = {}
    for pk, account_id, encrypted, out in found.values_list("pk", "account_id", "phone_enc", "out"):
        value = None if out and encrypted else encrypted
        if pk in people:
            phones["person", pk] = value
        if account_id in users:
            phones["user", account_id] = value
    return phones


def address_of(message: Message, phones: dict[tuple[str, int], str | None]) -> str:
    user = message.recipient
    if message.channel == Channel.SMS:
        from tongban.lib import crypto

        encrypted = phones.get(_to(message), "")
        if encrypted is None:
            raise TransportError(_("This number or person has opted out of text messages: not sent"), permanent=True)
        address = crypto.decrypt(encrypted) if encrypted else ""
    elif user is None:
        raise TransportError(_("A person with no account bound can only receive text messages, not %(channel)s") % {
                                 "channel": Channel.LABELS.get(message.channel, message.channel)}, permanent=True)
    elif message.channel == Channel.EMAIL:
        address = user.email
    elif message.channel == Channel.WECHAT:
        address = user.wechat_openid
    else:
        raise TransportError(_("The channel %(channel)s is not sent by the relay") % {"channel": message.channel},
                             permanent=True)
    if not address:
        raise TransportError(_("The recipient has no %(channel)s address") % {
            "channel": Channel.LABELS[message.channel]}, permanent=True)
    return address


def _content(message: Message) -> tuple[str, dict[str, str]]:
    """The body and provider parameters to send; a message with nothing to say (an
    empty body, no parameter with any text: a template emptied after it was queued,
    values that rendered to nothing) is refused for good, never sent."""
    label = Channel.LABELS.get(message.channel, message.channel)
    if message.channel in (Channel.SMS, Channel.WECHAT):
        params = {str(k): str(v) for k, v in (message.params or {}).items()}
        if not any(v.strip() for v in params.values()):
            raise TransportError(
                _("The %(channel)s message is empty (no template parameter has any text): not sent") % {
                    "channel": label}, permanent=True)
        return message.body, params
    if not message.body.strip():
        raise TransportError(_("The %(channel)s body is empty: not sent") % {"channel": label}, permanent=True)
    return message.body, {}


def _outgoing(message: Message, phones: dict[tuple[str, int], str | None]) -> Outgoing:
    body, params = _content(message)
    link = message.link
    if link.startswith("/"):
        link = settings.SITE_URL.rstrip("/") + link
    return Outgoing(message_id=message.pk, address=address_of(message, phones), subject=message.subject,
                    body=body, provider_template=message.provider_template, params=params, link=link)


def _record(message: Message, **outcome) -> int:
    """Write a delivery outcome if this relay's claim still holds (one statement, in
    autocommit: the outcome is kept the moment it is known)."""
    return Message.objects.filter(pk=message.pk, claim=message.claim, status=S.SENDING).update(**outcome)


def deliver(message: Message, tally: Tally, phones: dict | None = None) -> None:
    now = timezone.now()
    try:
        outgoing = _outgoing(message, phones if phones is not None else phones_of([message]))
        provider_id = transports.for_channel(message.channel).send(outgoing)
    except TransportError as exc:
        error, permanent = exc.message, exc.permanent
    except Exception as exc:  # a bug in an adapter must not stop the other messages
        log.exception("message %s: unexpected error from the %s transport", message.pk, message.channel)
        error, permanent = _("Internal error: %(error)s") % {"error": type(exc).__name__}, False
    else:
        updated = _record(message, status=S.SENT, sent_at=now, provider_id=provider_id[:128], error="",
                          lease_until=None)
        if updated:
            tally.sent += 1
            tally.by_channel[message.channel] = tally.by_channel.get(message.channel, 0) + 1
        return
    dead = permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    retry_at = now + backoff(message.attempts, base=settings.NOTIFY_RETRY_BASE_SECONDS,
                             cap=settings.NOTIFY_RETRY_CAP_SECONDS)
    recorded = _record(message, status=S.DEAD if dead else S.FAILED, error=redact_text(error)[:2000],
                       lease_until=None, next_attempt_at=None if dead else retry_at)
    if not recorded:
        return  # another relay took the message over after this one's lease ran out
    if dead:
        tally.dead += 1
    else:
        tally.failed += 1
    log.warning("message %s via %s %s (attempt %s): %s", message.pk, message.channel,
                "dead" if dead else "will retry", message.attempts, redact_text(error))


def relay(*, batch: int = 100, budget_seconds: float = 50.0) -> Tally:
    """Deliver due messages, batch by batch, until none are due or the time budget is
    spent (a sweep runs every minute; the next one goes on where this one stopped)."""
    tally = Tally()
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        claimed = claim(batch)
        if not claimed:
            break
        phones = phones_of(claimed)
        for message in claimed:
            deliver(message, tally, phones)
    return tally
