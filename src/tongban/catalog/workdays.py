"""Working days: the national calendar (the public holidays and the make-up working
days the State Council announces each autumn for the year after, kept as data in
CalendarYear/CalendarDay, seeded from chinesecalendar and edited per year in the back
office) minus the closures of an org unit and of every unit above it.

A year whose data is not marked complete is counted Monday to Friday (with whatever
days of it are entered), never silently: `year_has_data` and `years_without_data` say
so, for the case page, the back office and /healthz to show, and a warning is logged
once per such year.

The calendar is read whole (a few hundred rows) once per process and kept for five
minutes; saving a year through catalog.services forgets it at once in that process.

A deadline's closures are kept in each process like other configuration
(`lib/configcache`): a closure saved in one process binds there at once and in the
others within 30 seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.db.models.signals import post_delete, post_save

from tongban.accounts.models import OrgUnit
from tongban.catalog.models import CalendarDay, CalendarYear, Closure
from tongban.lib.configcache import ConfigCache

log = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)

_KEPT = ConfigCache("closures", watch=(Closure,))

_warned_years: set[int] = set()


def is_working_day(day: dt.date, *, unit: OrgUnit | None = None) -> bool:
    """Whether `day` is a working day nationally and, given a unit, neither that unit
    nor any unit above it is closed on it. At most one query, none without a unit (the
    national calendar aside, read once per process)."""
    if not _national_working_day(day):
        return False
    return not _closures(unit, day, day)


def add_working_days(start: dt.date, days: int, *, unit: OrgUnit | None = None) -> dt.date:
    """The day by which `days` working days have passed, counting from the day after
    `start`: add_working_days(Mon, 1) is Tue when Tue is a working day. With days=0,
    `start` itself if it is a working day, else the next working day. One query for
    any ordinary deadline. Refuses negative days with ValueError."""
    return Deadlines().add_working_days(start, days, unit=unit)


class Deadlines:
    """`add_working_days` for the several deadlines one act sets (a case's and its
    steps'): each unit's closures are read once, a window wide enough for the rest,
    not once per deadline."""

    WINDOW = dt.timedelta(days=180)

    def __init__(self) -> None:
        self._read: dict[frozenset[int], tuple[dt.date, dt.date, list[tuple[dt.date, dt.date]]]] = {}

    def add_working_days(self, start: dt.date, days: int, *, unit: OrgUnit | None = None) -> dt.date:
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        wanted = max(days, 1)
        day = start if days == 0 else start + ONE_DAY
        # Wide enough that holidays and ordinary closures rarely need a second window.
        span = 2 * wanted + 30
        while True:
            last = day + dt.timedelta(days=span - 1)
            closures = self._closures(unit, day, last)
            while day <= last:
                closed_until = _closed_until(closures, day)
                if closed_until is not None:
                    day = closed_until + ONE_DAY
                    continue
                if _national_working_day(day):
                    wanted -= 1
                    if wanted == 0:
                        return day
                day += ONE_DAY
            span *= 2

    def _closures(self, unit: OrgUnit | None, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
        if unit is None:
            return []
        lineage = frozenset(_lineage(unit))
        read = self._read.get(lineage)
        if read is None or not (read[0] <= first and last <= read[1]):
            until = max(last, first + self.WINDOW)
            # kept in the process like other configuration (every submission of the
            # day counts from the same day): a closure saved elsewhere binds within
            # the cache's 30 s
            found = _KEPT.get((lineage, first, until), lambda: _closures(unit, first, until))
            read = self._read[lineage] = (first, until, found)
        return [(start, end) for start, end in read[2] if start <= last and end >= first]


def working_days_between(start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> int:
    """The number of working days in (start, end]: 0 when end <= start. One query with
    a unit, none without (the national calendar aside)."""
    if end <= start:
        return 0
    closures = _closures(unit, start + ONE_DAY, end)
    count, day = 0, start + ONE_DAY
    while day <= end:
        closed_until = _closed_until(closures, day)
        if closed_until is not None:
            day = closed_until + ONE_DAY
            continue
        count += _national_working_day(day)
        day += ONE_DAY
    return count


CALENDAR_TTL = 300.0
_calendar_lock = threading.Lock()
_calendar_kept: tuple[float, dict[int, bool], dict[dt.date, str]] | None = None


def forget_calendar(*args, **kwargs) -> None:
    """Read the national calendar again at its next use (a year was edited)."""
    global _calendar_kept
    _calendar_kept = None


for _signal in (post_save, post_delete):
    for _model in (CalendarYear, CalendarDay):
        _signal.connect(forget_calendar, sender=_model, weak=False)


def _calendar() -> tuple[dict[int, bool], dict[dt.date, str]]:
    """({year: complete}, {date: kind}) for every year entered. Kept apart from
    lib/configcache's caches: it is read whole, rarely changes, and every deadline
    needs it, so acts do not pay for it again when those caches are cleared."""
    global _calendar_kept
    kept = _calendar_kept
    now = time.monotonic()
    if kept is not None and kept[0] > now:
        return kept[1], kept[2]
    with _calendar_lock:
        years = dict(CalendarYear.objects.order_by().values_list("year", "complete"))
        days = dict(CalendarDay.objects.order_by().values_list("date", "kind"))
        _calendar_kept = (now + CALENDAR_TTL, years, days)
    return years, days


def year_has_data(year: int) -> bool:
    """Whether the year's holidays and make-up working days are entered and marked
    complete: deadlines through it are exact. Otherwise they are counted Monday to
    Friday and must be shown as uncertain."""
    return _calendar()[0].get(year, False)


def years_without_data(first: dt.date, last: dt.date) -> list[int]:
    """The years from `first` to `last` (either order) whose calendar is not complete:
    a deadline counted across them is an estimate. Empty when it is exact."""
    years = _calendar()[0]
    low, high = sorted((first.year, last.year))
    return [y for y in range(low, high + 1) if not years.get(y, False)]


def is_public_holiday(day: dt.date) -> bool:
    """A statutory holiday (国庆, 春节…) as entered, not merely a weekend. A year
    without data has none."""
    return _calendar()[1].get(day) == CalendarDay.Kind.HOLIDAY


def _national_working_day(day: dt.date) -> bool:
    years, days = _calendar()
    kind = days.get(day)
    if kind is not None:
        return kind == CalendarDay.Kind.WORKDAY
    if not years.get(day.year, False) and day.year not in _warned_years:
        _warned_years.add(day.year)
        log.warning("the national calendar has no complete data for %s: counting Monday to Friday as working "
                    "days (enter the year's holidays in the back office)", day.year)
    return day.weekday() < 5


def _closures(unit: OrgUnit | None, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of the closures of `unit` and the units above it that overlap
    [first, last], in one query. The ids of a unit's ancestors are the ones in its
    materialised path ("/1/4/9/"), so no join is needed."""
    if unit is None:
        return []
    return list(Closure.objects.filter(org_unit_id__in=_lineage(unit), start__lte=last, end__gte=first)
                .order_by().values_list("start", "end"))


def _lineage(unit: OrgUnit) -> set[int]:
    return {int(part) for part in unit.path.split("/") if part.isdigit()} | {unit.pk}


def _closed_until(closures: list[tuple[dt.date, dt.date]], day: dt.date) -> dt.date | None:
    """The last day of the closures covering `day` (the furthest, when several do)."""
    ends = [end for start, end in closures if start <= day <= end]
    return max(ends) if ends else None
