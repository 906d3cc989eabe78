"""Every change to a booking: book, cancel, reschedule (the applicant's), check in,
served, no-show, walk-in (the window's), the reminders, and a resource's plan saved.
Each is one transaction with its audit entry and its messages.

A place is taken only by `UPDATE slot SET booked = booked + 1 WHERE id = … AND
booked < capacity AND is_open` (`_take`), and the database refuses a slot over its
capacity and a second active booking of a person for one service, so no race can
overbook: the loser of a race for the last place gets "已约满" (a StateConflict, 409).

Locks, always in this order so two acts cannot wait on each other: the person's row
(serialises one person's acts, so the weekly limit holds), the booking's row, the
slots in id order, the resource's row (queue numbers), and last the audit chain."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action, Role
from tongban.audit.services import record
from tongban.booking import clock, plans
from tongban.booking.models import ACTIVE, Booking, ExtraHours, Resource, Slot, State
from tongban.booking.rules import cutoff, refusal, rule_for, week_of
from tongban.cases import guards
from tongban.cases.models import FINAL_STATUSES
from tongban.catalog.models import Material, ServiceItem
from tongban.lib.configcache import ConfigCache
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.services import notify
from tongban.people.models import Person
from tongban.restrictions import services as restrictions
from tongban.restrictions.models import Blocks, Kind, Restriction

# Window work (check-in, served, no-show, walk-in, cancelling for someone) is the
# acceptance of people at the counter: clerks and officers hold it, auxiliaries not.
WINDOW = Action.BOOKING_DESK
SLOT_FULL = "slot_full"
FULL = gettext_lazy("This time slot is fully booked; please choose another.")


# --- helpers ------------------------------------------------------------------------------

def _when(slot: Slot | None, day: dt.date) -> str:
    if slot is None:
        return f"{day:%Y-%m-%d}"
    start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


# kept per process (lib/configcache.py): an edit shows in every worker within half a minute
_MATERIALS = ConfigCache("booking.materials", watch=(Material,))
_SERVED = ConfigCache("booking.served", watch=(Resource,), m2m=(Resource.services.through,))


def materials_of(service: ServiceItem) -> list[str]:
    """The names of the materials the service asks for (the checklist to bring)."""
    return _MATERIALS.get(service.pk, lambda: [m.name + ("" if m.required else _("(if any)"))
                                               for m in Material.objects.filter(item=service.pk)])


def _tell(event: str, b: Booking, fact: str, **extra) -> int:
    if b.account_id is None:
        return 0
    materials = pgettext("list separator", ", ").join(materials_of(b.service)) or _("no materials needed")
    context = {"service": b.service.name, "resource": b.resource.name,
               "place": b.resource.place or _("see the service guide"),
               "time": _when(b.slot, b.date), "materials": materials, "reason": "", **extra}
    return notify(event=event, recipients=[b.account], key=f"{event}:{b.pk}:{fact}", context=context,
                  link=reverse("booking:mine"), obj=b)


def _own_person_locked(actor: User) -> Person:
    """The actor's person (id and name; the rest read if asked), locked alone for the
    rest of the transaction. Written out, as every booking makes it."""
    row = None
    if actor.is_authenticated:
        lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
        __, row = _sql("SELECT id, name FROM {person} WHERE account_id = %s" + lock, [actor.pk])
    if row is None:
        raise StateConflict("not_bound", _("Please confirm who you are (ID number + student/staff number) before "
                                           "booking."))
    return Person.from_db(connection.alias, ["id", "name", "account_id"], [*row, actor.pk])


def _lock_person(person: Person) -> None:
    """Lock the person's row for the rest of the transaction, and theirs alone (`of=self`):
    a join locking the unit's row too would queue every booking of a unit's people."""
    list(Person.objects.select_for_update(no_key=True, of=("self",)).filter(pk=person.pk).values_list("pk"))


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update(no_key=True).get(pk=booking.pk)


def _serves(resource: Resource, service: ServiceItem) -> None:
    served = _SERVED.get(resource.pk, lambda: set(resource.services.values_list("pk", flat=True)))
    if not resource.is_active or not service.is_published or service.pk not in served:
        raise ApplicationError("service_not_served",
                               _("%(resource)s does not take bookings for “%(service)s”.")
                                   % {"resource": resource.name, "service": service.name},
                               field="service")


# The statements every booking makes, written out: Django's compiling of the same
# queries cost more than the database answering them (bench/booking_rush.py).
def _sql(text: str, params: list) -> tuple:
    table = {"slot": Slot._meta.db_table, "booking": Booking._meta.db_table, "person": Person._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute(text.format(**{k: connection.ops.quote_name(v) for k, v in table.items()}), params)
        return cursor.rowcount, (cursor.fetchone() if cursor.description else None)


def _take(slot: Slot) -> None:
    """Take one place in `slot`, or refuse: the one conditional update that decides."""
    taken, __ = _sql("UPDATE {slot} SET booked = booked + 1 WHERE id = %s AND is_open AND booked < capacity",
                    [slot.pk])
    if not taken:
        raise StateConflict(SLOT_FULL, FULL)


def _release(slot_id: int | None) -> None:
    if slot_id is not None:
        _sql("UPDATE {slot} SET booked = booked - 1 WHERE id = %s AND booked > 0", [slot_id])


def _check_limits(*, person: Person, service: ServiceItem, slot: Slot, exclude: int | None = None,
                  rule=None) -> None:
    """Refuse a second active booking of the service and a week over the rule's limit;
    both counted in one statement (the refusal's details are read only when refusing)."""
    rule = rule or rule_for(slot.resource, service)
    monday, sunday = week_of(slot.date)
    same_service = "AND service_id = %s" if rule.service_id else ""
    __, (active, week) = _sql(
        "SELECT count(*) FILTER (WHERE service_id = %s AND state IN (%s, %s)), "
        f"count(*) FILTER (WHERE resource_id = %s AND date BETWEEN %s AND %s AND state <> %s {same_service}) "
        "FROM {booking} WHERE person_id = %s AND id <> %s",
        [service.pk, *ACTIVE, slot.resource_id, monday, sunday, State.CANCELLED,
         *([service.pk] if rule.service_id else []), person.pk, exclude or 0])
    if active:
        current = (Booking.objects.filter(person=person, service=service, state__in=ACTIVE).exclude(pk=exclude)
                   .select_related("slot").first())
        when = _when(current.slot, current.date)
        raise StateConflict("already_booked", _("You already have a valid booking for “%(service)s” (%(when)s); "
                                                "please cancel or reschedule it first.") % {"service": service.name,
                                                                                            "when": when})
    if rule.weekly_limit and week >= rule.weekly_limit:
        raise StateConflict("weekly_limit", _(
            "At most %(limit)s bookings per person per week; your bookings for the week of %(monday)s are full.")
            % {"limit": rule.weekly_limit, "monday": monday.strftime(pgettext("strftime: month and day", "%b %d"))})


def _next_number(resource: Resource, day: dt.date) -> int:
    """The next queue number of the resource's day. The resource row is locked for the
    rest of the transaction (no key: bookings referencing it are not held up), and that
    row alone: Resource's default ordering joins its unit, whose row FOR UPDATE would
    lock too."""
    list(Resource.objects.select_for_update(no_key=True, of=("self",)).filter(pk=resource.pk).order_by()
         .values_list("pk"))
    last = Booking.objects.filter(resource=resource, date=day).aggregate(n=Max("queue_number"))["n"]
    return (last or 0) + 1


def _window_staff(actor: User, b: Booking) -> None:
    authorize(actor, WINDOW, unit=b.resource.org_unit)


# --- the applicant's acts -----------------------------------------------------------------

def book(*, actor: User, slot: Slot, service: ServiceItem, case=None) -> Booking:
    """Book one place in `slot` for `service`, for the person bound to `actor`; with
    `case`, the booking is linked to that application of theirs. Confirms in-app and
    on the person's channels, with the materials to bring.

    Refuses (ApplicationError) an unbound account, a restricted person (Restricted,
    403), a service the resource does not take, a slot not yet open or too soon or
    past, a service not for the person (not_in_audience, 403), a second active booking
    for the service, the weekly limit, and a full slot ("已约满", 409), and a case
    already ended (办结, withdrawn, refused, rejected)."""
    if slot.free == 0:
        # as read just now: in a rush most requests end here, before any lock; the
        # conditional update below still decides for those that get further
        raise StateConflict(SLOT_FULL, FULL)
    resource = slot.resource
    _serves(resource, service)
    if case is not None and (case.applicant_id != actor.pk or case.item_id != service.pk):
        raise NotAllowed("not_your_case", _("Only your own application for this service can be linked."))
    if case is not None and case.status in FINAL_STATUSES:
        raise StateConflict("case_closed",
                            _("Application %(serial)s is %(status)s; it can no longer be booked for.")
                                % {"serial": case.serial, "status": case.get_status_display()},
                            field="case")
    rule = rule_for(resource, service)
    reason = refusal(rule, slot, clock.now())
    if reason:
        raise StateConflict("not_bookable", reason)
    try:
        with transaction.atomic():
            person = _own_person_locked(actor)
            restrictions.check(person=person, doing=Blocks.BOOKING)
            # what 在线申请 asks (the audience, the household's status, …): a booking for a
            # service the person may not apply for would be refused only at the counter
            refused = guards.refusal(actor=actor, item=service)
            if refused is not None:
                raise refused
            _check_limits(person=person, service=service, slot=slot, rule=rule)
            b = Booking.objects.create(resource=resource, slot=slot, date=slot.date, person=person, account=actor,
                                       service=service, case=case, created_by=actor)
            _tell("booking.confirmed", b, "confirmed")
            # The slot's row lock and the trail's lock are taken last, so each is held
            # for the commit alone: in a rush every booking of the slot queues on its
            # row (bench/booking_rush.py). A full slot undoes the booking and message.
            _take(slot)
            record(actor=actor, action="booking.book", obj=b, role=Role.APPLICANT,
                   summary=_("Booked %(service)s: %(name)s %(when)s") % {"service": service.name, "name": person.name,
                                                                         "when": _when(slot, slot.date)},
                   details={"slot": slot.pk, "service": service.code, "resource": resource.pk,
                            "case": case.serial if case is not None else None})
    except IntegrityError as exc:
        # the person's other request for the same service won the race (the
        # one-active-per-service constraint); the whole act, its place too, is undone
        raise StateConflict("already_booked", _("You already have a valid booking for “%(service)s”; please cancel or "
                                                "reschedule it first.") % {"service": service.name}) from exc
    return b


def cancel(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    """Cancel a booking not yet checked in and give its place back. The applicant may
    until the cut-off; window staff of the resource's unit may at any time, and say
    why. Refuses anything else."""
    now = clock.now()
    with transaction.atomic():
        b = _locked(booking)
        own = b.account_id == actor.pk
        if not own:
            _window_staff(actor, b)
            if not reason.strip():
                raise ApplicationError("reason_required", _("Please give the reason for cancelling"), field="reason")
        if b.state != State.BOOKED:
            raise StateConflict("not_cancellable",
                                _("This booking is %(state)s and cannot be cancelled.")
                                    % {"state": b.get_state_display()})
        if own and b.slot is not None and now > cutoff(rule_for(b.resource, b.service), b.slot):
            hours = rule_for(b.resource, b.service).cancel_cutoff_hours
            raise StateConflict("past_cutoff", _("The cancellation deadline (%(hours)s hours before the start) has "
                                                 "passed; if you cannot come, please contact the window.")
                                                     % {"hours": hours})
        b.state, b.finished_at = State.CANCELLED, now
        b.save(update_fields=["state", "finished_at"])
        _release(b.slot_id)
        record(actor=actor, action="booking.cancel", obj=b,
               summary=_("Booking cancelled: %(name)s %(service)s %(when)s") % {"name": b.person.name,
                                                                                "service": b.service.name,
                                                                                "when": _when(b.slot, b.date)},
               details={"slot": b.slot_id, "by": "applicant" if own else "staff", "reason": reason.strip()})
        _tell("booking.cancelled", b, "cancelled",
              reason=_("Reason: %(reason)s") % {"reason": reason.strip()} if reason.strip() else "")
    return b


def reschedule(*, actor: User, booking: Booking, slot: Slot) -> Booking:
    """Move the applicant's booking to another slot, of the same resource or of another
    one that takes its service (another window, another station), before the old
    slot's cut-off: the new place is taken and the old one given back in one
    transaction (both or neither). The new slot must be bookable as for a new booking
    there, under that resource's rule. A person restricted from booking since may
    keep (or cancel) the booking, not move it: a new slot is a new booking."""
    now = clock.now()
    person = booking.person
    with transaction.atomic():
        _lock_person(person)
        b = _locked(booking)
        if b.account_id != actor.pk:
            raise NotAllowed("not_yours", _("You can only reschedule your own booking."))
        restrictions.check(person=person, doing=Blocks.BOOKING)
        if b.state != State.BOOKED or b.slot_id is None:
            raise StateConflict("not_reschedulable",
                                _("This booking is %(state)s and cannot be rescheduled.")
                                    % {"state": b.get_state_display()})
        if slot.pk == b.slot_id:
            raise ApplicationError("same_slot", _("Please choose a different time slot."), field="slot")
        old, old_resource = b.slot, b.resource
        _serves(slot.resource, b.service)  # this window or another: it must take the service now
        rule = rule_for(b.resource, b.service)
        if now > cutoff(rule, old):
            raise StateConflict("past_cutoff", _("The rescheduling deadline (%(hours)s hours before the start) has "
                                                 "passed.") % {"hours": rule.cancel_cutoff_hours})
        reason = refusal(rule_for(slot.resource, b.service), slot, now)
        if reason:
            raise StateConflict("not_bookable", reason)
        _check_limits(person=person, service=b.service, slot=slot, exclude=b.pk)
        # slots in id order, so two people swapping slots cannot deadlock
        if slot.pk < old.pk:
            _take(slot)
            _release(old.pk)
        else:
            _release(old.pk)
            _take(slot)
        b.slot, b.date, b.resource = slot, slot.date, slot.resource
        b.save(update_fields=["slot", "date", "resource"])
        moved = _("(%(old)s → %(new)s)") % {"old": old_resource.name, "new": slot.resource.name} \
            if slot.resource_id != old_resource.pk else ""
        record(actor=actor, action="booking.reschedule", obj=b,
               summary=_("Rescheduled: %(name)s %(service)s %(old)s → %(new)s%(moved)s") % {
                   "name": person.name, "service": b.service.name, "old": _when(old, old.date),
                   "new": _when(slot, slot.date), "moved": moved},
               details={"from": old.pk, "to": slot.pk, "from_resource": old_resource.pk,
                        "to_resource": slot.resource_id})
        _tell("booking.rescheduled", b, f"to:{slot.pk}",
              old_time=_when(old, old.date) + (f" {old_resource.name}" if moved else ""))
    return b


# --- at the window --------------------------------------------------------------------------

def check_in(*, actor: User, booking: Booking) -> Booking:
    """The person has arrived on the booked day: issue the resource's next queue
    number of the day. Window staff of the resource's unit only."""
    _window_staff(actor, booking)
    now = clock.now()
    with transaction.atomic():
        b = _locked(booking)
        if b.state != State.BOOKED:
            raise StateConflict("not_checkable",
                                _("This booking is %(state)s and cannot be checked in.")
                                    % {"state": b.get_state_display()})
        if b.date != timezone.localdate(now):
            raise StateConflict("not_today", _("This booking is on %(date)s; check-in is only on the day of the "
                                               "booking.") % {"date": f"{b.date:%Y-%m-%d}"})
        b.queue_number = _next_number(b.resource, b.date)
        b.state, b.checked_in_at = State.CHECKED_IN, now
        b.save(update_fields=["queue_number", "state", "checked_in_at"])
        record(actor=actor, action="booking.check_in", obj=b,
               summary=_("Checked in: %(name)s, %(resource)s number %(number)s") % {"name": b.person.name,
                                                                                    "resource": b.resource.name,
                                                                                    "number": b.queue_number},
               details={"number": b.queue_number})
        _tell("booking.checked_in", b, "checked_in", number=b.queue_number)
    return b


def walk_in(*, actor: User, resource: Resource, person: Person, service: ServiceItem) -> Booking:
    """Someone without a booking comes to the window: queue them for today, checked in
    with the next number. Takes no slot (the booked places stay for those who booked).
    A restriction from booking online does not keep anyone from the window."""
    authorize(actor, WINDOW, unit=resource.org_unit)
    _serves(resource, service)
    now = clock.now()
    try:
        with transaction.atomic():
            _lock_person(person)
            if Booking.objects.filter(person=person, service=service, state__in=ACTIVE).exists():
                raise StateConflict("already_booked", _("%(name)s already has a valid booking for “%(service)s”; "
                                                        "check them in instead.") % {"name": person.name,
                                                                                     "service": service.name})
            day = timezone.localdate(now)
            b = Booking.objects.create(resource=resource, date=day, person=person, account=person.account,
                                       service=service, state=State.CHECKED_IN, walk_in=True,
                                       queue_number=_next_number(resource, day), created_by=actor,
                                       checked_in_at=now)
            record(actor=actor, action="booking.walk_in", obj=b,
                   summary=_("Walk-in number: %(name)s %(service)s, %(resource)s number %(number)s") % {
                       "name": person.name, "service": service.name, "resource": resource.name,
                       "number": b.queue_number},
                   details={"number": b.queue_number, "service": service.code})
            _tell("booking.checked_in", b, "checked_in", number=b.queue_number)
    except IntegrityError as exc:
        raise StateConflict("already_booked",
                            _("%(name)s already has a valid booking for “%(service)s”.")
                            % {"name": person.name, "service": service.name}) from exc
    return b


def arrive(*, actor: User, resource: Resource, person: Person, service: ServiceItem) -> Booking:
    """Someone at the window, found by the staff (number, ID number, name and phone):
    their booking of today for the service at this resource is checked in; without one
    they are queued as a walk-in. Each is the act it names (`check_in`, `walk_in`),
    with its checks."""
    booked = (Booking.objects.filter(person=person, service=service, resource=resource, state=State.BOOKED,
                                     date=timezone.localdate(clock.now())).select_related("resource").first())
    if booked is not None:
        return check_in(actor=actor, booking=booked)
    return walk_in(actor=actor, resource=resource, person=person, service=service)


def mark_served(*, actor: User, booking: Booking) -> Booking:
    """The checked-in person has been served."""
    _window_staff(actor, booking)
    with transaction.atomic():
        b = _locked(booking)
        if b.state != State.CHECKED_IN:
            raise StateConflict("not_checked_in",
                                _("This booking is %(state)s; check in first.") % {"state": b.get_state_display()})
        b.state, b.finished_at = State.SERVED, clock.now()
        b.save(update_fields=["state", "finished_at"])
        record(actor=actor, action="booking.served", obj=b,
               summary=_("Served: %(name)s %(service)s") % {"name": b.person.name, "service": b.service.name})
    return b


def mark_no_show(*, actor: User, booking: Booking) -> Booking:
    """The person did not come to a slot that has begun. Applying the resource's
    policy: their `no_show_limit`-th no-show within `no_show_days` days (counting only
    those since their last no-show restriction) restricts them from booking for
    `no_show_restrict_days` days, once."""
    _window_staff(actor, booking)
    now = clock.now()
    with transaction.atomic():
        b = _locked(booking)
        if b.state != State.BOOKED:
            raise StateConflict("not_no_show",
                                _("This booking is %(state)s and cannot be recorded as a no-show.")
                                    % {"state": b.get_state_display()})
        if b.slot is not None and now < b.slot.start:
            raise StateConflict("not_started", _("The time slot has not started yet; it cannot be recorded as a "
                                                 "no-show."))
        _no_show(b, actor, now)
    return b


def _no_show(b: Booking, actor: User | None, now: dt.datetime) -> None:
    b.state, b.finished_at = State.NO_SHOW, now
    b.save(update_fields=["state", "finished_at"])
    record(actor=actor, action="booking.no_show", obj=b,
           summary=_("No-show: %(name)s %(service)s %(when)s") % {
               "name": b.person.name, "service": b.service.name, "when": _when(b.slot, b.date)}
           + (_("(not checked in, recorded by the system)") if actor is None else ""))
    _apply_no_show_policy(b, now)


def sweep_no_shows() -> int:
    """After the day: a booking of an earlier day never checked in is a no-show, on the
    resources that say so (the window's staff could check people in until the day
    ended). Each booking once: it is no longer 'booked' afterwards."""
    now = clock.now()
    today = timezone.localdate(now)
    stale = (Booking.objects.filter(state=State.BOOKED, date__lt=today, resource__auto_no_show=True)
             .values_list("pk", flat=True))
    marked = 0
    for pk in list(stale):
        with transaction.atomic():
            b = _locked(Booking(pk=pk))
            if b.state == State.BOOKED:
                _no_show(b, None, now)
                marked += 1
    return marked


def _apply_no_show_policy(b: Booking, now: dt.datetime) -> None:
    resource, person = b.resource, b.person
    if not resource.no_show_limit:
        return
    since = b.date - dt.timedelta(days=resource.no_show_days)
    counted = Booking.objects.filter(person=person, state=State.NO_SHOW, date__gt=since, date__lte=b.date)
    last = (Restriction.objects.filter(person=person, kind=Kind.NO_SHOWS).order_by("-created_at")
            .values_list("created_at", flat=True).first())
    if last is not None:
        counted = counted.filter(finished_at__gt=last)
    n = counted.count()
    if n < resource.no_show_limit:
        return
    restrictions.impose(actor=None, person=person, kind=Kind.NO_SHOWS,
                        reason=_("%(n)s no-shows within %(days)s days") % {"n": n, "days": resource.no_show_days},
                        blocks=Blocks.BOOKING,
                        source=f"noshow:{person.pk}:{b.date}",
                        until=timezone.localdate(now) + dt.timedelta(days=resource.no_show_restrict_days))


# --- sweeps and configuration ---------------------------------------------------------------

def send_reminders() -> int:
    """Remind everyone booked for tomorrow. Keyed on the booking and its date: run it
    again (or after a reschedule to the same day) and nothing more is sent; a booking
    moved to another day is reminded for that day."""
    tomorrow = clock.today() + dt.timedelta(days=1)
    due = (Booking.objects.filter(date=tomorrow, state=State.BOOKED, account__isnull=False)
           .select_related("slot", "resource", "service", "account"))
    sent = 0
    for b in due.iterator(chunk_size=500):
        with transaction.atomic():
            sent += _tell("booking.reminder", b, f"reminder:{b.date}")
    return sent


PLAN_MANAGE = Action.CATALOG_MANAGE  # resources and their weekly plans are configured by service admins


def _may_plan(actor: User | None, *units) -> None:
    if actor is not None:
        for unit in units:
            authorize(actor, PLAN_MANAGE, unit=unit)


def save_resource(*, actor: User | None, resource: Resource, changed: list[str],
                  services: list[ServiceItem] | None = None) -> Resource:
    """Save a resource from the back office (its name, unit, slot length and capacity,
    no-show rules, the services it takes), on the trail with the changed fields.
    Refuses (NotAllowed) one whose unit, old or new, the actor does not manage."""
    with transaction.atomic():
        before = Resource.objects.select_for_update().get(pk=resource.pk) if resource.pk else None
        _may_plan(actor, *{u for u in (before and before.org_unit, resource.org_unit) if u is not None})
        resource.full_clean(exclude=["services"])
        resource.save()
        if services is not None:
            resource.services.set(services)
        record(actor=actor, action="booking.resource_change" if before else "booking.resource_add", obj=resource,
               summary=(_("Bookable resource changed: %(resource)s") if before else
                        _("Bookable resource added: %(resource)s")) % {"resource": resource},
               details={name: (pgettext("list separator",
                                        ", ").join(str(item) for item in services or []) if name == "services"
                               else str(getattr(resource, name))) for name in changed})
    return resource


def save_plan_rows(*, actor: User | None, resource: Resource, saved: list, deleted: list) -> None:
    """Save the back office's weekly sessions, extra sessions, extra hours or rules of
    `resource` (rows of one kind or several), on the trail. Refuses a row of another
    resource (a forged inline) and a unit the actor does not manage; `plan_saved` cuts
    the slots after."""
    with transaction.atomic():
        _may_plan(actor, resource.org_unit)
        for row in [*saved, *deleted]:
            if row.pk and type(row).objects.filter(pk=row.pk).exclude(resource=resource).exists():
                raise NotAllowed("not_this_resource", _("That session or rule is not this bookable resource's."))
        for row in saved:
            row.resource = resource
            if hasattr(row, "created_by_id") and row.created_by_id is None and actor is not None:
                row.created_by = actor
            row.full_clean(exclude=["resource"])
            row.save()
        gone = [str(row) for row in deleted]
        for row in deleted:
            row.delete()
        if saved or deleted:
            record(actor=actor, action="booking.plan_rows", obj=resource,
                   summary=_("Sessions or rules of a bookable resource changed: %(resource)s") % {"resource": resource},
                   details={"saved": [str(row) for row in saved], "deleted": gone})


def plan_saved(*, actor: User | None, resource: Resource) -> int:
    """After the back office saved a resource with its sessions and rules: record the
    whole plan and bring the bookable window's slots in line. Returns the slots added.
    Needs catalog.manage in the resource's unit."""
    _may_plan(actor, resource.org_unit)
    with transaction.atomic():
        added = plans.ensure_window(resource=resource)
        record(actor=actor, action="booking.plan_saved", obj=resource,
               summary=_("Bookable resource saved: %(resource)s") % {"resource": resource},
               details={"sessions": [str(s) for s in resource.sessions.all()],
                        "extra": [str(s) for s in resource.extra_sessions.filter(date__gte=clock.today())],
                        "extra_hours": [str(s) for s in resource.extra_hours.filter(last__gte=clock.today())],
                        "slot_minutes": resource.slot_minutes, "capacity": resource.capacity, "added": added})
    return added



MAX_EXTRA_HOURS_DAYS = 366


def open_extra_hours(*, actor: User, resource: Resource, first: dt.date, last: dt.date, start: dt.time,
                     end: dt.time, working_days_only: bool = True, note: str = "") -> ExtraHours:
    """A station's extra hours (延时服务) for a date range, by its window staff: the
    bookable days' slots are cut at once (the hourly task cuts the later ones as they
    come within reach). Refuses staff of another unit, a range that ends before today
    or is backwards or longer than a year, and hours that end before they start, each
    naming the field."""
    authorize(actor, WINDOW, unit=resource.org_unit)
    if last < first:
        raise ApplicationError("bad_range", _("The last date cannot be before the first date"), field="last")
    if last < clock.today():
        raise ApplicationError("range_past", _("The last date has passed; choose today or a later date"), field="last")
    if (last - first).days >= MAX_EXTRA_HOURS_DAYS:
        raise ApplicationError("range_too_long", _("At most %(days)s days at a time") % {"days": MAX_EXTRA_HOURS_DAYS},
                               field="last")
    if end <= start:
        raise ApplicationError("bad_hours", _("The daily end time must be after the start time"), field="end")
    with transaction.atomic():
        extra = ExtraHours.objects.create(resource=resource, first=first, last=last, start=start, end=end,
                                          working_days_only=working_days_only, note=note.strip()[:64],
                                          created_by=actor)
        added = plans.ensure_window(resource=resource)
        record(actor=actor, action="booking.extra_hours_open", obj=resource,
               summary=_("%(resource)s: extra hours opened %(extra)s") % {"resource": resource, "extra": extra},
               details={
                   "extra_hours": extra.pk, "first": first.isoformat(), "last": last.isoformat(),
                   "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "working_days_only": working_days_only,
                   "note": extra.note, "slots_added": added})
    return extra


def withdraw_extra_hours(*, actor: User, extra: ExtraHours) -> int:
    """Withdraw extra hours: their slots not yet booked close, booked ones keep their
    bookings (the window serves those who booked). Returns how many booked places
    stay, so the page can say so."""
    resource = extra.resource
    authorize(actor, WINDOW, unit=resource.org_unit)
    with transaction.atomic():
        locked = ExtraHours.objects.select_for_update().filter(pk=extra.pk).first()
        if locked is None:
            raise StateConflict("extra_hours_gone", _("These extra hours have been withdrawn"))
        summary = _("%(resource)s: extra hours withdrawn %(extra)s") % {"resource": resource, "extra": locked}
        locked.delete()
        plans.ensure_window(resource=resource)
        kept = Booking.objects.filter(resource=resource, state__in=ACTIVE, slot__is_open=False,
                                      date__gte=clock.today()).count()
        record(actor=actor, action="booking.extra_hours_withdraw", obj=resource, summary=summary,
               details={"extra_hours": extra.pk, "bookings_kept": kept})
    return kept


def guard_booked(*, actor: User, item, case=None) -> None:
    """The case engine's guard: a service that needs an appointment is submitted only
    with an active booking linked to the application."""
    if case is None or not case.config["item"].get("booking_required"):
        return
    if not Booking.objects.filter(case=case, state__in=ACTIVE).exists():
        raise ApplicationError("booking_required", _("This service needs a booked time to come in: book first, then "
                                                     "submit the application."), field="booking")
