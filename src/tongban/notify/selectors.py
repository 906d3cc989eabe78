"""Reading messages: a person sees their own inbox; admins see the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.accounts.access import scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.notify import events
from tongban.notify.events import Channel
from tongban.notify.models import Message, Preference


def inbox(*, user: User, unread_only: bool = False) -> QuerySet[Message]:
    qs = Message.objects.filter(recipient=user, channel=Channel.INBOX) if user.is_authenticated else \
        Message.objects.none()
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, user: User) -> int:
    return inbox(user=user, unread_only=True).count()


def outbox(*, user: User, status: str | None = None) -> QuerySet[Message]:
    """Messages on the outside channels, for those who manage delivery."""
    qs = scope(Message.objects.exclude(channel=Channel.INBOX), user, Action.NOTIFY_MANAGE, unit_field=None)
    return qs.filter(status=status) if status else qs


def preferences(*, user: User) -> list[dict]:
    """One line per kind: its label, whether it can be turned off, and per channel
    whether it is on."""
    from tongban.notify.services import chosen_channels

    chosen = {p.kind: p.channels for p in Preference.objects.filter(user=user)}
    lines = []
    for kind in events.KINDS.values():
        on = chosen_channels(kind, chosen.get(kind.key))
        lines.append({
            "kind": kind,
            "channels": [
                {"key": c, "label": Channel.LABELS[c], "on": c in on,
                 "locked": c == Channel.INBOX or (kind.mandatory and c in kind.default_channels)}
                for c in Channel.ALL
            ],
        })
    return lines
