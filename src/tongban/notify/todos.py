"""One list of what a person has to do, whichever app or system it comes from.

Each app that gives people work registers a *source*: a function `(user, limit)` that
returns that user's open items as `Todo`s, newest deadline first or as it likes. The
staff to-do page, the portal's feed for other systems (interop) and the inbox read them
through `for_user`, which never lets one failing source hide the others. notify is below
every app that acts, so the list lives here and the apps fill it (as they fill the
notice kinds)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from tongban.accounts.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Todo:
    source: str  # the registering app or system ("cases", "interop:教务系统")
    key: str  # unique within its source: a deep link's object
    title: str
    url: str  # where to do it: a path of tongban, or another system's https address
    due: dt.date | None = None
    detail: str = ""

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.due is not None and self.due < timezone.localdate()


Source = Callable[[User, int], list[Todo]]
_sources: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Called from an app's ready(); registering the same name again replaces it."""
    _sources[name] = source


def sources() -> list[str]:
    return list(_sources)


def for_user(user: User, *, limit: int = 50, only: set[str] | None = None,
             exclude: set[str] | frozenset[str] = frozenset()) -> list[Todo]:
    """The user's open items from every source (or those in `only`, less `exclude`), the
    ones with the earliest deadline first and those without one last, at most `limit`."""
    if not user.is_authenticated:
        return []
    found: list[Todo] = []
    for name, source in _sources.items():
        if (only is not None and name not in only) or name in exclude:
            continue
        try:
            found += source(user, limit)
        except Exception:  # one broken source must not hide the others' work
            log.exception("to-do source %s failed", name)
    found.sort(key=lambda t: (t.due is None, t.due or dt.date.max, t.title))
    return found[:limit]
