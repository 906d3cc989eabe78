"""Configuration that every request reads and admins rarely change (a message's
wording, a window's booking rules, which services it takes), kept in each process for
a short while instead of read from the database on every act.

Saving or deleting a row of a watched model clears the cache of the process that did
it at once; every other process (the other app workers, the job consumer) reads the
change within `ttl` seconds. Values must be treated as read-only by their users."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

_ALL: list[ConfigCache] = []


class ConfigCache:
    """`keep_missing=False`: a None from `load` is not kept (for keys that come from
    requests: a stranger asking for ids that do not exist must not fill the memory).
    Beyond `size` entries, the expired ones are dropped, and if that is not enough,
    all of them."""

    def __init__(self, name: str, *, watch: tuple = (), m2m: tuple = (), ttl: float = 30.0,
                 keep_missing: bool = True, size: int = 1024):
        self.name, self.ttl, self.keep_missing, self.size = name, ttl, keep_missing, size
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        for signal, senders in ((post_save, watch), (post_delete, watch), (m2m_changed, m2m)):
            for sender in senders:
                signal.connect(self.clear, sender=sender, weak=False)
        _ALL.append(self)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value kept for `key`, or `load()`'s, kept from now for `ttl` seconds."""
        now = time.monotonic()
        kept = self._entries.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = load()
        if value is None and not self.keep_missing:
            return value
        if len(self._entries) >= self.size:
            kept = {k: v for k, v in self._entries.items() if v[0] > now}
            self._entries = kept if len(kept) < self.size else {}
        self._entries[key] = (now + self.ttl, value)
        return value

    def clear(self, *args, **kwargs) -> None:
        self._entries = {}


def clear_all() -> None:
    """Forget everything kept (tests: a rolled-back transaction sends no signal)."""
    for cache in _ALL:
        cache.clear()
