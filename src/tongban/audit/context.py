"""Where an action came from (client address, user agent), carried to the trail without
passing `request` into services: the middleware sets it for a web request, a command
or a task sets its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip: str = ""
    user_agent: str = ""


_NOWHERE = Origin()
_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def current_origin() -> Origin:
    return _origin.get() or _NOWHERE


@contextmanager
def origin(ip: str = "", user_agent: str = "") -> Iterator[None]:
    token = _origin.set(Origin(ip=ip[:45], user_agent=user_agent[:255]))
    try:
        yield
    finally:
        _origin.reset(token)
