"""Counting failures per key (an account, a client address) in a window.

A rate limit for forms that are not sign-ins (the public seal verification). Sign-ins
and the binding form are locked out by django-axes with accounts/lockout.py instead:
one mechanism for everything that proves who someone is. Counts live
in the cache: local memory on the embedded machine (one app server process), Redis when
scaled out so every app server sees the same count.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return f"throttle:{kind}:{value}"


def is_locked(kind: str, value: str, *, limit: int | None = None) -> bool:
    limit = limit or settings.LOGIN_MAX_FAILURES
    return int(cache.get(_key(kind, value), 0)) >= limit


def fail(kind: str, value: str, *, window: int | None = None) -> int:
    """Count one failure; the window starts at the first failure."""
    key = _key(kind, value)
    cache.add(key, 0, timeout=window or settings.LOGIN_LOCK_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window or settings.LOGIN_LOCK_SECONDS)
        return 1


def clear(kind: str, value: str) -> None:
    cache.delete(_key(kind, value))
