"""Checks other apps make before someone may start or submit an application, without
the engine knowing them: a restricted person (黑名单) may not apply, say. A guard is
`guard(*, actor, item, case=None) -> None` (no case yet when starting one) and
refuses by raising an ApplicationError."""

from __future__ import annotations

from collections.abc import Callable

_guards: dict[str, Callable] = {}


def register(name: str, guard: Callable) -> None:
    _guards[name] = guard


def check(*, actor, item, case=None) -> None:
    for guard in _guards.values():
        guard(actor=actor, item=item, case=case)
