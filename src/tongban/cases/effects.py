"""What completing a case does to the domain, registered in code by the app that owns
the data ("move-in approved → the person is in school"). A service names its effect;
the handler runs inside the completing transaction, so the case and its effect commit
together or not at all. A service with no effect still completes and notifies."""

from __future__ import annotations

from collections.abc import Callable

_handlers: dict[str, tuple[str, Callable]] = {}


def register(name: str, label: str):
    """Decorator: `@effects.register("hukou.move_in", "迁入集体户")` over
    `def handler(*, case, actor) -> None`."""

    def decorate(handler: Callable) -> Callable:
        _handlers[name] = (label, handler)
        return handler

    return decorate


def registered() -> dict[str, str]:
    return {name: label for name, (label, _) in _handlers.items()}


def run(name: str, *, case, actor) -> None:
    if not name:
        return
    try:
        _, handler = _handlers[name]
    except KeyError:
        raise LookupError(f"no case effect named {name!r} is registered") from None
    handler(case=case, actor=actor)
