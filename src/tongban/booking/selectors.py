"""Reads for the booking pages. Resources and their free places are public to signed-in
applicants; a person's bookings are theirs alone; the window sees the resources and
bookings of the units its role reaches (booking.desk), nothing else (404 otherwise)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from tongban.accounts.access import refused, scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.booking import clock
from tongban.booking.models import ACTIVE, Booking, ExtraHours, Resource, Slot, State
from tongban.booking.rules import opens_at, refusal, rule_for
from tongban.booking.services import WINDOW
from tongban.catalog.models import ServiceItem
from tongban.lib import crypto
from tongban.lib.configcache import ConfigCache
from tongban.people import idnumber
from tongban.people.models import Person

# --- applicants -----------------------------------------------------------------------------


def _published() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(is_published=True).order_by("category", "code")


def bookable_resources() -> QuerySet[Resource]:
    """Active resources with at least one published service, each with those services."""
    return (Resource.objects.filter(is_active=True, services__is_published=True).distinct()
            .select_related("org_unit").prefetch_related(Prefetch("services", queryset=_published())))


def resources_serving(service: ServiceItem) -> QuerySet[Resource]:
    """The bookable resources that take `service` (where a booking may be moved to)."""
    return bookable_resources().filter(services=service).order_by("org_unit__path", "name")


def resource_for_applicant(*, pk: int) -> Resource:
    found = bookable_resources().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


BIGGEST_ID = 2**63 - 1  # a bigint; a longer number is no row's (and would overflow the driver)


def full_slot(*, resource_pk: int, slot_pk) -> Resource | None:
    """The resource (its id and name), if `slot_pk` is one of its slots and reads full
    right now; else None. In the rush this answers most requests "已约满"
    (bench/booking_rush.py), so it is one plain statement: compiling even the simplest
    ORM query costs several times what the database takes to answer it."""
    if not str(slot_pk).isdigit() or int(slot_pk) > BIGGEST_ID or resource_pk > BIGGEST_ID:
        return None
    slot, resource = (connection.ops.quote_name(m._meta.db_table) for m in (Slot, Resource))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.name FROM {slot} s JOIN {resource} r ON r.id = s.resource_id "
                       "WHERE s.id = %s AND s.resource_id = %s AND s.booked >= s.capacity AND r.is_active",
                       [int(slot_pk), resource_pk])
        row = cursor.fetchone()
    return Resource(pk=resource_pk, name=row[0]) if row else None


def slot_of(*, resource_pk: int, slot_pk) -> Slot | None:
    """One of the resource's slots, with its resource, or None. One query: in the rush
    it answers most requests ("已约满") and is the slot the others book."""
    if not str(slot_pk).isdigit():
        return None
    return Slot.objects.select_related("resource").filter(pk=slot_pk, resource_id=resource_pk).order_by().first()


_SERVICES = ConfigCache("booking.services", watch=(ServiceItem,), keep_missing=False)


def published_service(pk) -> ServiceItem | None:
    """A published service by id (whether a resource takes it, `book` decides); kept
    per process, so publishing or withdrawing it shows in every worker within half a
    minute."""
    if not str(pk).isdigit():
        return None
    found = _SERVICES.get(int(pk), lambda: ServiceItem.objects.filter(pk=pk).order_by().first())
    return found if found is not None and found.is_published else None


def service_of(resource: Resource, pk: str | int | None) -> ServiceItem | None:
    """One of the resource's published services (prefetched), by id; the only one if it
    has just one; else None."""
    services = list(resource.services.all())
    for s in services:
        if str(s.pk) == str(pk):
            return s
    return services[0] if len(services) == 1 else None


@dataclass
class Day:
    date: dt.date
    slots: list[Slot] = field(default_factory=list)
    opens: dt.datetime | None = None  # when the day is not open yet

    @property
    def free(self) -> int:
        return sum(s.free for s in self.slots if s.bookable)


def days(*, resource: Resource, service: ServiceItem | None) -> list[Day]:
    """The days from today up to the last day the rule lets anyone book, with their
    slots; each slot says whether it can be booked now (`bookable`, `refusal`)."""
    rule = rule_for(resource, service)
    now = clock.now()
    today = clock.today()
    last = today + dt.timedelta(days=rule.open_days_ahead)
    slots = Slot.objects.filter(resource=resource, date__gte=today, date__lte=last, is_open=True).order_by("start")
    by_day: dict[dt.date, Day] = {}
    for s in slots:
        s.refusal = refusal(rule, s, now)
        s.bookable = s.refusal is None and s.free > 0
        day = by_day.setdefault(s.date, Day(s.date))
        day.slots.append(s)
    for day in by_day.values():
        opening = opens_at(rule, day.date)
        day.opens = opening if now < opening else None
    return [by_day[d] for d in sorted(by_day)]


def slot_for(*, resource: Resource, pk) -> Slot:
    found = Slot.objects.filter(resource=resource, pk=pk).select_related("resource", "resource__org_unit").first() \
        if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def own_person(user: User) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(account=user).first()


def own_bookings(*, user: User) -> QuerySet[Booking]:
    if not user.is_authenticated:
        return Booking.objects.none()
    return (Booking.objects.filter(account=user)
            .select_related("slot", "resource", "resource__org_unit", "service")
            .order_by("-date", "-slot__start", "-id"))


def own_booking(*, user: User, pk: int) -> Booking:
    found = own_bookings(user=user).filter(pk=pk).first()
    if found is None:
        raise refused(user, Booking, pk)
    return found


def own_active(*, user: User) -> QuerySet[Booking]:
    return own_bookings(user=user).filter(state__in=ACTIVE, date__gte=clock.today()).order_by("date", "slot__start")


# --- the window -------------------------------------------------------------------------------

def staff_resources(*, user: User) -> QuerySet[Resource]:
    return scope(Resource.objects.select_related("org_unit"), user, WINDOW).order_by("org_unit__path", "name")


def staff_resource(*, user: User, pk) -> Resource:
    found = staff_resources(user=user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def day_bookings(*, user: User, resource: Resource, day: dt.date) -> QuerySet[Booking]:
    """The resource's bookings of the day, queued ones first by number, then by time."""
    return (scope(Booking.objects.filter(resource=resource, date=day), user, WINDOW, unit_field="resource__org_unit")
            .exclude(state=State.CANCELLED)
            .select_related("slot", "person", "service")
            .order_by("slot__start", "queue_number", "id"))


def staff_booking(*, user: User, pk: int) -> Booking:
    found = (scope(Booking.objects.all(), user, WINDOW, unit_field="resource__org_unit")
             .select_related("resource", "resource__org_unit", "person", "service", "slot").filter(pk=pk).first())
    if found is None:
        raise refused(user, Booking, pk)
    return found


def person_for_window(*, user: User, number: str = "", id_number: str = "", name: str = "",
                      phone: str = "") -> Person | None:
    """A person the window may queue, within the staff's reach over people: by
    student/staff number, by whole ID number (through the blind index, never a partial
    match), or by name and phone together (the phone through its blind index). None
    when nobody, or more than one person, matches."""
    people = scope(Person.objects.select_related("account"), user, Action.PEOPLE_VIEW)
    if id_number:
        found = people.filter(id_number_index=crypto.blind_index(idnumber.normalise(id_number), purpose="id"))
    elif number.strip():
        found = people.filter(student_number=number.strip())
    elif name.strip() and phone.strip():
        digits = "".join(phone.split())
        found = people.filter(name=name.strip(), phone_index=crypto.blind_index(digits, purpose="phone"))
    else:
        return None
    matched = list(found.order_by("id")[:2])
    return matched[0] if len(matched) == 1 else None


def extra_hours(*, user: User, resource: Resource) -> QuerySet[ExtraHours]:
    """The resource's extra hours not yet over, for window staff of its unit."""
    return (scope(ExtraHours.objects.filter(resource=resource, last__gte=clock.today()), user, WINDOW,
                  unit_field="resource__org_unit").select_related("created_by").order_by("first", "start"))


def staff_extra_hours(*, user: User, pk) -> ExtraHours:
    found = (scope(ExtraHours.objects.select_related("resource", "resource__org_unit"), user, WINDOW,
                   unit_field="resource__org_unit").filter(pk=pk).first() if str(pk).isdigit() else None)
    if found is None:
        raise refused(user, ExtraHours, pk)
    return found
