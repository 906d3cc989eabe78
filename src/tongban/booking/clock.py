"""The booking app's one reading of the clock, so tests can set the time the rules
see (booking opens at 08:00, three days ahead) without patching Django itself."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())
