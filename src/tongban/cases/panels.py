"""Panels other apps add to the staff case page without the engine knowing them (the
household archive's capture list): `register(name, panel)`, where `panel(request, case)`
returns the HTML of its section, or "" to show nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

_panels: dict[str, Callable] = {}


def register(name: str, panel: Callable) -> None:
    _panels[name] = panel


def for_staff_case(request, case) -> list[SafeString]:
    return [mark_safe(html) for html in (panel(request, case) for panel in _panels.values()) if html]
