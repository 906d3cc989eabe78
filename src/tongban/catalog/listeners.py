"""Who wants to know that the published catalog changed (a service published or
unpublished): registered in code by an app above the engine, so the catalog never
imports it (the assistant rebuilds its index). Listeners run after the commit, each
`listener(*, item) -> None`; one that fails is logged and the others still run."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)
_listeners: list[Callable] = []


def on_change(listener: Callable) -> Callable:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def changed(item) -> None:
    """Called inside the act that published or unpublished `item`: tell the listeners once it commits."""

    def tell() -> None:
        for listener in list(_listeners):
            try:
                listener(item=item)
            except Exception:  # a listener's fault never undoes or hides a publish
                log.exception("catalog listener %s failed for %s", listener, item.pk)

    transaction.on_commit(tell)
