"""Channels that call out, each behind one small interface (like healthchecks'
Transport): `send(outgoing) -> provider message id`, raising TransportError that says
whether trying again can help. The class for each channel comes from settings, so the
embedded machine writes SMS to a file while production calls the provider."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from tongban.lib.http import RemoteError

# A transport's failure is a remote one, the same class lib.http raises.
TransportError = RemoteError


@dataclass
class Outgoing:
    """What a transport needs, and nothing more: the address is resolved just before
    sending (phones are stored encrypted, never copied into the outbox)."""

    message_id: int
    address: str
    subject: str
    body: str
    provider_template: str = ""
    params: dict[str, str] = field(default_factory=dict)
    link: str = ""


class Transport:
    channel: str = ""

    def send(self, outgoing: Outgoing) -> str:  # pragma: no cover - interface
        raise NotImplementedError


_cache: dict[str, Transport] = {}


def for_channel(channel: str) -> Transport:
    path = settings.NOTIFY_TRANSPORTS[channel]
    transport = _cache.get(path)
    if transport is None:
        transport = _cache[path] = import_string(path)()
    return transport


def reset() -> None:
    """Forget built transports (settings changed: tests, or a reload)."""
    _cache.clear()
