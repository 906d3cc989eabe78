"""The booking rules as plain reads: which rule applies, when a day's slots open, and
why a slot cannot be booked now (a Chinese reason, or None)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.booking.models import Resource, Rule, Slot
from tongban.catalog.models import ServiceItem
from tongban.lib.configcache import ConfigCache

_RULES = ConfigCache("booking.rules", watch=(Rule,))


def rule_for(resource: Resource, service: ServiceItem | None) -> Rule:
    """The service's own rule, else the resource's general one, else the defaults
    (kept per process: an edit applies in every worker within half a minute)."""
    rules = _RULES.get(resource.pk, lambda: {r.service_id: r for r in Rule.objects.filter(resource=resource.pk)})
    return (service is not None and rules.get(service.pk)) or rules.get(None) or Rule(resource=resource)


def opens_at(rule: Rule, day: dt.date) -> dt.datetime:
    """When the slots of `day` can first be booked: `open_days_ahead` days before,
    at `open_time`."""
    return dt.datetime.combine(day - dt.timedelta(days=rule.open_days_ahead), rule.open_time,
                               tzinfo=timezone.get_current_timezone())


def cutoff(rule: Rule, slot: Slot) -> dt.datetime:
    """Until when a booking of `slot` may be cancelled or moved by the applicant."""
    return slot.start - dt.timedelta(hours=rule.cancel_cutoff_hours)


def refusal(rule: Rule, slot: Slot, now: dt.datetime) -> str | None:
    """Why `slot` cannot be booked at `now` under `rule`, or None."""
    if not slot.is_open:
        return _("This time slot no longer takes bookings; please choose another.")
    if slot.start <= now:
        return _("This time slot has started or is over; please choose another.")
    if slot.start < now + dt.timedelta(hours=rule.min_notice_hours):
        return _("Book at least %(hours)s hours ahead; please choose another time slot.") % {
            "hours": rule.min_notice_hours}
    opening = opens_at(rule, slot.date)
    if now < opening:
        day = pgettext("strftime: month and day", "%b %d")
        return _("The slots of %(day)s open for booking at %(time)s.") % {
            "day": slot.date.strftime(day), "time": timezone.localtime(opening).strftime(day + " %H:%M")}
    return None


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)
