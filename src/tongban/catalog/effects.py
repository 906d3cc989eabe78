"""What a case does to the domain, registered in code by the app that owns the data
("move-in approved → the person is in school"). A service names its effect; the
handlers run inside the transaction that moves the case, so the case and its effect
commit together or not at all. A service with no effect still completes and notifies.

An effect has up to three handlers, each `handler(*, case, actor) -> None`:
- `complete` (required): the case is completed;
- `submitted`: the case was submitted or resubmitted; it may refuse the submission by
  raising (an ApplicationError or StateConflict names why) — for example a person who
  already lives in the collective household cannot apply to move in again;
- `ended`: the case ended without completing (withdrawn, refused, rejected), so
  whatever `submitted` set up is undone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PHASES = ("complete", "submitted", "ended")


@dataclass(frozen=True)
class Effect:
    label: str
    complete: Callable
    submitted: Callable | None = None
    ended: Callable | None = None


_effects: dict[str, Effect] = {}


def register(name: str, label: str, *, submitted: Callable | None = None, ended: Callable | None = None):
    """Decorator over the completion handler: `@effects.register("hukou.move_in",
    "迁入集体户", submitted=..., ended=...)` over `def handler(*, case, actor) -> None`."""

    def decorate(handler: Callable) -> Callable:
        _effects[name] = Effect(label, handler, submitted, ended)
        return handler

    return decorate


def registered() -> dict[str, str]:
    return {name: effect.label for name, effect in _effects.items()}


def run(name: str, *, case, actor, phase: str = "complete") -> None:
    if not name:
        return
    if phase not in PHASES:
        raise ValueError(f"unknown effect phase {phase!r}")
    try:
        effect = _effects[name]
    except KeyError:
        raise LookupError(f"no case effect named {name!r} is registered") from None
    handler = getattr(effect, phase)
    if handler is not None:
        handler(case=case, actor=actor)
