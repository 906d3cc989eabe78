"""Checks made before someone may start or submit an application: first the service's
audience (catalog.eligibility: a students-only service refuses staff), then what
other apps register without the engine knowing them: a restricted person (黑名单) may
not apply, a household service needs a household status. A guard is
`guard(*, actor, item, case=None) -> None` (no case yet when starting one) and
refuses by raising an ApplicationError.

The same checks run on the guide and on pressing 在线申请 (`refusal`), so an applicant
learns why before the form opens, and again, server-side, at every submission: a
forged POST or an API call meets the same refusal with the same code."""

from __future__ import annotations

from collections.abc import Callable

from tongban.catalog import eligibility
from tongban.lib.errors import ApplicationError

_guards: dict[str, Callable] = {}


def register(name: str, guard: Callable) -> None:
    _guards[name] = guard


def check(*, actor, item, case=None) -> None:
    """Raise the first refusal: the audience's, then each registered guard's."""
    refused = eligibility.refusal(actor, item)
    if refused is not None:
        raise refused
    for guard in _guards.values():
        guard(actor=actor, item=item, case=case)


def refusal(*, actor, item) -> ApplicationError | None:
    """Why the actor may not start an application for the service now, or None (the
    guide's explanation and its apply button)."""
    try:
        check(actor=actor, item=item)
    except ApplicationError as exc:
        return exc
    return None


# --- moving a case on ----------------------------------------------------------------
# Apps above the engine may hold a case at a level: a guard here is
# `guard(*, actor, case, act) -> None` (act "approve": a step approved, the case about
# to go to the next level or complete) and refuses by raising an ApplicationError,
# which rolls the act back. The household archive uses it (a required capture missing).
_transition_guards: dict[str, Callable] = {}


def register_transition(name: str, guard: Callable) -> None:
    _transition_guards[name] = guard


def check_transition(*, actor, case, act: str) -> None:
    for guard in _transition_guards.values():
        guard(actor=actor, case=case, act=act)
