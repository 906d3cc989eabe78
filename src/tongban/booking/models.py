"""Appointments (预约): resources with their weekly plan, extra sessions and rules; the
slots materialised from them (号源), one row each with its capacity and the places
taken; and the bookings. A slot's `booked` moves only through `booking.services`, by
a conditional update the database also checks, so no slot ever holds more than its
capacity."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.models import OrgUnit
from tongban.catalog.models import ServiceItem
from tongban.people.models import Person


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Resource(models.Model):
    """What is booked: a window, a room, a counsellor, in one org unit, serving one
    or more services. Its slots are cut from its sessions, `slot_minutes` long, each
    taking `capacity` people."""

    class Kind(models.TextChoices):
        WINDOW = "window", _("Window")
        ROOM = "room", _("Room")
        COUNSELLOR = "counsellor", _("Counsellor")

    name = models.CharField(pgettext_lazy("name of a thing", "Name"), max_length=64)
    kind = models.CharField(pgettext_lazy("kind", "Type"), max_length=16, choices=Kind.choices, default=Kind.WINDOW)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Unit it belongs to"), on_delete=models.PROTECT,
                                 related_name="booking_resources")
    services = models.ManyToManyField(ServiceItem, verbose_name=_("Services that can be booked"),
                                      related_name="booking_resources")
    place = models.CharField(_("Place"), max_length=128, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("Length of each slot (minutes)"), default=30)
    capacity = models.PositiveSmallIntegerField(_("People per slot"), default=1)
    is_active = models.BooleanField(_("Open for booking"), default=True)
    # no-show policy: `no_show_limit` no-shows within `no_show_days` days restrict the
    # person from booking for `no_show_restrict_days` days
    no_show_limit = models.PositiveSmallIntegerField(_("No-show limit"), default=3)
    no_show_days = models.PositiveSmallIntegerField(_("Days counted for no-shows"), default=90)
    no_show_restrict_days = models.PositiveSmallIntegerField(_("Days barred from booking after no-shows"), default=30)
    auto_no_show = models.BooleanField(_("Record not checking in as a no-show"), default=True,
                                       help_text=_("A booking not checked in by the end of its day is recorded as a "
                                                   "no-show the next day (it counts towards the no-show limit)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Bookable resource")
        verbose_name_plural = _("Bookable resources")
        ordering = ["org_unit__path", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="booking_resource_slot_minutes"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="booking_resource_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.name} · {self.name}"


class Session(models.Model):
    """One opening in the weekly plan; the breaks are the gaps between sessions."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(_("Weekday"), choices=Weekday.choices)
    start = models.TimeField(pgettext_lazy("time", "Start"))
    end = models.TimeField(pgettext_lazy("time", "End"))

    class Meta:
        verbose_name = _("Weekly session")
        verbose_name_plural = _("Weekly sessions")
        ordering = ["resource_id", "weekday", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_session_order")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ExtraSession(models.Model):
    """An opening on one date beyond the weekly plan (an evening, a Saturday morning).
    It opens on weekends too, but not on a public holiday nor on a unit's closure."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="extra_sessions")
    date = models.DateField(_("Date"))
    start = models.TimeField(pgettext_lazy("time", "Start"))
    end = models.TimeField(pgettext_lazy("time", "End"))
    note = models.CharField(_("Note"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("Extra session")
        verbose_name_plural = _("Extra sessions")
        ordering = ["resource_id", "date", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_extra_order")]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}–{self.end:%H:%M}"


class ExtraHours(models.Model):
    """Hours a station opens beyond its weekly plan for a date range (evenings in the
    graduation season, say): every working day of the range, or every day of it,
    weekends too, as `working_days_only` says; never on a public holiday nor on a
    unit's closure. Opened and withdrawn through booking.services (audited)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="extra_hours")
    first = models.DateField(_("First date"))
    last = models.DateField(_("Last date"))
    start = models.TimeField(_("Daily start"))
    end = models.TimeField(_("Daily end"))
    working_days_only = models.BooleanField(_("Working days only"), default=True,
                                            help_text=_("Unticked, weekends (not public holidays) open too"))
    note = models.CharField(_("Note"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Extra hours period")
        verbose_name_plural = _("Extra hours periods")
        ordering = ["resource_id", "first", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_extra_hours_order"),
            models.CheckConstraint(condition=Q(last__gte=F("first")), name="booking_extra_hours_range"),
        ]

    def __str__(self) -> str:
        days = _("working days") if self.working_days_only else _("every day")
        return f"{self.first}–{self.last} {days} {self.start:%H:%M}–{self.end:%H:%M}"


class Rule(models.Model):
    """Booking rules of a resource; a rule naming a service applies to that service,
    the one without a service to the rest. Without any row the defaults apply."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rules")
    service = models.ForeignKey(ServiceItem, verbose_name=_("Service (blank for all)"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    open_days_ahead = models.PositiveSmallIntegerField(_("Days open ahead"), default=3,
                                                       help_text=_("How many days ahead, from today, slots can be "
                                                                   "booked"))
    open_time = models.TimeField(_("Daily release time"), default=dt.time(8, 0),
                                 help_text=_("The furthest day's slots open at this time"))
    min_notice_hours = models.PositiveSmallIntegerField(_("Minimum hours' notice"), default=1)
    weekly_limit = models.PositiveSmallIntegerField(_("Bookings per person per week at most"), default=3,
                                                    help_text=_("0 for no limit"))
    cancel_cutoff_hours = models.PositiveSmallIntegerField(_("Cancel/reschedule cut-off (hours before the start)"),
                                                           default=2)

    class Meta:
        verbose_name = _("Booking rule")
        verbose_name_plural = _("Booking rules")
        constraints = [
            models.UniqueConstraint(fields=["resource", "service"], name="booking_rule_per_service"),
            models.UniqueConstraint(fields=["resource"], condition=Q(service__isnull=True),
                                    name="booking_rule_default"),
        ]

    def __str__(self) -> str:
        return _("%(resource)s: %(service)s") % {"resource": self.resource.name,
                                                "service": self.service or _("all services")}


class Slot(models.Model):
    """A bookable period of a resource (号源), materialised from its plan. `booked`
    never exceeds `capacity`: the database refuses it, and the service takes a place
    only with `UPDATE … WHERE booked < capacity`. A slot the plan no longer has is
    closed rather than deleted (its bookings stay)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField(_("Date"))
    start = models.DateTimeField(pgettext_lazy("time", "Start"))
    end = models.DateTimeField(pgettext_lazy("time", "End"))
    capacity = models.PositiveSmallIntegerField(_("Capacity"))
    booked = models.PositiveSmallIntegerField(_("Places taken"), default=0)
    is_open = models.BooleanField(pgettext_lazy("slot is open", "Open"), default=True)

    class Meta:
        verbose_name = _("Slot")
        verbose_name_plural = _("Slots")
        ordering = ["resource_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "start"], name="booking_slot_once"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="booking_slot_within_capacity"),
            models.CheckConstraint(condition=Q(booked__gte=0), name="booking_slot_not_negative"),
        ]
        indexes = [models.Index(fields=["resource", "date"], name="booking_slot_day")]

    def __str__(self) -> str:
        return f"{self.resource.name} {self.start:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked) if self.is_open else 0


class State(models.TextChoices):
    BOOKED = "booked", pgettext_lazy("state", "Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = (State.BOOKED, State.CHECKED_IN)


class Booking(models.Model):
    """One person's place in a slot (or, for a walk-in, in the day's queue without a
    slot). A person has at most one active booking per service."""

    resource = models.ForeignKey(Resource, verbose_name=_("Resource"), on_delete=models.PROTECT,
                                 related_name="bookings")
    slot = models.ForeignKey(Slot, verbose_name=_("Slot"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="bookings")
    date = models.DateField(_("Date"))
    person = models.ForeignKey(Person, verbose_name=_("Person booking"), on_delete=models.PROTECT,
                               related_name="bookings")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Account booking"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(ServiceItem, verbose_name=_("Service"), on_delete=models.PROTECT,
                                related_name="bookings")
    case = models.ForeignKey("cases.Case", verbose_name=_("Linked application"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="bookings")
    state = models.CharField(_("Status"), max_length=16, choices=State.choices, default=State.BOOKED)
    walk_in = models.BooleanField(_("Walk-in number"), default=False)
    queue_number = models.PositiveIntegerField(_("Queue number"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("Booking time"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("Check-in time"), null=True, blank=True)
    finished_at = models.DateTimeField(_("End time"), null=True, blank=True)

    class Meta:
        verbose_name = _("Booking")
        verbose_name_plural = _("Bookings")
        ordering = ["date", "slot__start", "queue_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "service"], condition=Q(state__in=ACTIVE),
                                    name="booking_one_active_per_service"),
            models.UniqueConstraint(fields=["resource", "date", "queue_number"],
                                    condition=Q(queue_number__isnull=False), name="booking_queue_number_once"),
        ]
        indexes = [
            models.Index(fields=["resource", "date", "state"], name="booking_day"),
            models.Index(fields=["person", "state"], name="booking_person_state"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.service.name} · {self.date}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE
