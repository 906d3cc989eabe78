"""From a resource's plan to slot rows. Which hours a day has:

- a working day of the national calendar (the make-up Saturdays included) has the
  weekly plan's sessions for its weekday; a make-up day on a weekend with no sessions
  of its own is worked like the first weekday the plan has sessions for;
- an ordinary weekend day (not a public holiday) has the weekly plan's sessions for
  its weekday: a window open on Saturday mornings (or Sundays) says so in its plan;
- a date's extra sessions, and the extra hours a station opens for a date range (on
  its working days, or every day, as each says), open except on a public holiday;
- a closure of the resource's unit (or a unit above it) closes the day whatever else.

`ensure_slots` writes the rows idempotently: run it twice, or on two workers at once,
and the second run adds nothing (the (resource, start) key refuses duplicates)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from tongban.booking import clock
from tongban.booking.models import Resource, Rule, Slot
from tongban.catalog.models import Closure
from tongban.catalog.workdays import is_public_holiday, is_working_day

Hours = list[tuple[dt.time, dt.time]]
ONE_DAY = dt.timedelta(days=1)


def public_holiday(day: dt.date) -> bool:
    """A statutory holiday (国庆, 春节…), not merely a weekend: the national calendar's
    data (catalog.workdays); a year without data has none entered."""
    return is_public_holiday(day)


def closed_days(resource: Resource, first: dt.date, last: dt.date) -> set[dt.date]:
    """The days in [first, last] a closure of the resource's unit, or of a unit above
    it, covers; one query. (The ancestors' ids are in the unit's materialised path.)"""
    unit = resource.org_unit
    lineage = {int(part) for part in unit.path.split("/") if part.isdigit()} | {unit.pk}
    days: set[dt.date] = set()
    for start, end in (Closure.objects.filter(org_unit_id__in=lineage, start__lte=last, end__gte=first)
                       .values_list("start", "end")):
        day = max(start, first)
        while day <= min(end, last):
            days.add(day)
            day += ONE_DAY
    return days


def hours_on(day: dt.date, *, weekly: dict[int, Hours], extras: dict[dt.date, Hours], closed: set[dt.date],
             ranges: list | None = None) -> Hours:
    """The opening hours of `day`: see the module's docstring. `ranges` are the
    resource's ExtraHours rows overlapping the days asked for."""
    if day in closed:
        return []
    holiday = public_holiday(day)
    working = is_working_day(day)  # national calendar; the unit's closures are `closed`
    hours: Hours = []
    plan = weekly.get(day.weekday())
    if working and not plan and day.weekday() >= 5:  # a make-up working day on a weekend
        plan = next((weekly[d] for d in range(5) if weekly.get(d)), [])
    if working or (day.weekday() >= 5 and not holiday):
        hours += plan or []
    if not holiday:
        hours += extras.get(day, [])
        hours += [(r.start, r.end) for r in ranges or () if r.first <= day <= r.last
                  and (working or not r.working_days_only)]
    return sorted(set(hours))


def ensure_slots(*, resource: Resource, first: dt.date, last: dt.date) -> int:
    """Make the slot rows of [first, last] match the plan: add the missing ones,
    close those the plan no longer has (a booked slot keeps its bookings), reopen
    those it has again, and bring capacities to the resource's (never below what is
    already booked). Returns the number of slots added."""
    tz = timezone.get_current_timezone()
    weekly: dict[int, Hours] = defaultdict(list)
    for s in resource.sessions.all():
        weekly[s.weekday].append((s.start, s.end))
    extras: dict[dt.date, Hours] = defaultdict(list)
    for s in resource.extra_sessions.filter(date__gte=first, date__lte=last):
        extras[s.date].append((s.start, s.end))
    ranges = list(resource.extra_hours.filter(first__lte=last, last__gte=first))
    closed = closed_days(resource, first, last)
    step = dt.timedelta(minutes=resource.slot_minutes)
    wanted: dict[dt.datetime, tuple[dt.date, dt.datetime]] = {}
    day = first
    while day <= last:
        for start, end in hours_on(day, weekly=weekly, extras=extras, closed=closed, ranges=ranges):
            at, stop = dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz)
            while at + step <= stop:
                wanted[at] = (day, at + step)
                at += step
        day += ONE_DAY
    window = Slot.objects.filter(resource=resource, date__gte=first, date__lte=last)
    existing = {start: (pk, is_open) for pk, start, is_open in window.values_list("pk", "start", "is_open")}
    new = [Slot(resource=resource, date=d, start=at, end=end, capacity=resource.capacity)
           for at, (d, end) in wanted.items() if at not in existing]
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    closing = [pk for at, (pk, is_open) in existing.items() if is_open and at not in wanted]
    reopening = [pk for at, (pk, is_open) in existing.items() if not is_open and at in wanted]
    if closing:
        Slot.objects.filter(pk__in=closing).update(is_open=False)
    if reopening:
        Slot.objects.filter(pk__in=reopening).update(is_open=True)
    window.exclude(capacity=resource.capacity).update(capacity=Greatest(Value(resource.capacity), F("booked")))
    return len(new)


def horizon(resource: Resource) -> int:
    """How many days ahead any of the resource's rules lets people book."""
    days = [r.open_days_ahead for r in resource.rules.all()]
    return max([*days, Rule._meta.get_field("open_days_ahead").default])


def ensure_window(*, resource: Resource | None = None) -> int:
    """The slots of today and every day bookable soon, for one active resource or all."""
    today = clock.today()
    resources = [resource] if resource is not None else Resource.objects.filter(is_active=True).select_related(
        "org_unit")
    return sum(ensure_slots(resource=r, first=today, last=today + dt.timedelta(days=horizon(r) + 1))
               for r in resources)
