"""Imposing, lifting and checking restrictions. Booking and case submission call
`check` in their services; each impose and lift is audited and messaged in its
transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import Event, record, record_many
from tongban.lib.bulk import copy_rows
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.services import Outgoing, notify_each
from tongban.people.models import Person
from tongban.restrictions.models import Blocks, Kind, Restriction

DOING = {Blocks.BOOKING: pgettext_lazy("restricted from", "booking"),
         Blocks.APPLYING: pgettext_lazy("restricted from", "applying")}
COPY_FROM = 200  # restrictions of one batch: more go to PostgreSQL by COPY (lib/bulk.py)


class Restricted(NotAllowed):
    """The person is restricted from doing this; the message says why and whom to ask."""


def _told(r: Restriction) -> dict:
    return {"reason": r.reason, "blocks": r.get_blocks_display(), "contact": settings.HOUSEHOLD_OFFICE_CONTACT}


def _tell(event: str, r: Restriction, fact: str) -> None:
    # a person with no account yet is texted at the phone on their record
    notify_each(event=event, outgoing=[Outgoing.for_person(r.person, f"{event}:{r.pk}:{fact}", _told(r), obj=r)])


def impose(*, actor: User | None, person: Person, kind: str, reason: str, blocks: str = Blocks.BOTH,
           source: str = "", until: dt.date | None = None) -> Restriction | None:
    """Restrict `person`. `actor=None` is the system (a sweep); a person acting needs
    restriction.manage over the person's unit. With a `source`, at most one
    restriction ever exists for it: imposing again returns None and writes nothing."""
    if actor is not None:
        authorize(actor, Action.RESTRICTION_MANAGE, unit=person.org_unit)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason_required", _("Please give the reason for the restriction"), field="reason")
    if kind not in Kind.values:
        raise ApplicationError("bad_kind", _("Please choose the type of restriction"), field="kind")
    if blocks not in Blocks.values:
        raise ApplicationError("bad_blocks", _("Please choose what is restricted"), field="blocks")
    with transaction.atomic():
        if source and Restriction.objects.filter(source=source).exists():
            return None
        try:
            with transaction.atomic():
                r = Restriction.objects.create(person=person, kind=kind, reason=reason[:255], blocks=blocks,
                                               source=source, until=until, created_by=actor)
        except IntegrityError:  # the same source, imposed concurrently
            return None
        record(actor=actor, action="restriction.impose", obj=r,
               summary=_("Restricted %(name)s: %(reason)s") % {"name": person.name, "reason": reason},
               details={"kind": kind, "blocks": blocks, "source": source, "until": str(until or "")})
        _tell("restriction.imposed", r, "imposed")
    return r


@dataclass
class Imposition:
    """One restriction the system imposes in a batch (`impose_many`)."""

    person: Person
    kind: str
    reason: str
    source: str
    blocks: str = Blocks.BOTH
    until: dt.date | None = None


def impose_many(impositions: list[Imposition]) -> list[Restriction]:
    """The system's restrictions for many people at once (a sweep's overdue loans), in
    the caller's transaction, each with its audit entry and message as `impose` writes
    them; a source that already has a restriction is skipped. Returns those made.
    Should another worker impose one of the same sources meanwhile, the batch is done
    one by one instead, so no source is ever restricted or announced twice."""
    wanted = {i.source: i for i in impositions if i.source}
    if len(wanted) != len(impositions):
        raise ValueError("impose_many needs a distinct source for every restriction")
    with transaction.atomic():
        have = set(Restriction.objects.filter(source__in=list(wanted)).values_list("source", flat=True))
        todo = [i for source, i in wanted.items() if source not in have]
        if not todo:
            return []
        made = [Restriction(person=i.person, kind=i.kind, reason=i.reason.strip()[:255], blocks=i.blocks,
                            source=i.source, until=i.until, created_at=timezone.now()) for i in todo]
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql" and len(made) > COPY_FROM:
                    fields = [f.attname for f in Restriction._meta.concrete_fields if not f.primary_key]
                    ids = copy_rows(Restriction, [{f: getattr(r, f) for f in fields} for r in made], with_ids=True)
                    for r, pk in zip(made, ids, strict=True):
                        r.pk = pk
                else:
                    Restriction.objects.bulk_create(made)
        except IntegrityError:  # a source imposed concurrently: the exact, slower way
            return [r for i in todo if (r := impose(actor=None, person=i.person, kind=i.kind, reason=i.reason,
                                                    blocks=i.blocks, source=i.source, until=i.until))]
        record_many(actor=None, events=[
            Event("restriction.impose", _("Restricted %(name)s: %(reason)s") % {"name": r.person.name,
                                                                                "reason": r.reason},
                  r._meta.label_lower, str(r.pk),
                  {"kind": r.kind, "blocks": r.blocks, "source": r.source, "until": str(r.until or "")})
            for r in made])
        notify_each(event="restriction.imposed", outgoing=[
            Outgoing.for_person(r.person, f"restriction.imposed:{r.pk}:imposed", _told(r), obj=r) for r in made])
    return made


def lift(*, actor: User, restriction: Restriction, reason: str) -> Restriction:
    authorize(actor, Action.RESTRICTION_MANAGE, unit=restriction.person.org_unit)
    return _lift(actor=actor, restriction=restriction, reason=reason)


def lift_by_source(*, source: str, reason: str, actor: User | None = None) -> Restriction | None:
    """Lift the current restriction `source` created, as a rule configured by an admin
    does (a loan policy that lifts on return): no permission of the actor is needed,
    who is named on the trail."""
    found = Restriction.objects.filter(source=source).current().first() if source else None
    return _lift(actor=actor, restriction=found, reason=reason) if found else None


def _lift(*, actor: User | None, restriction: Restriction, reason: str) -> Restriction:
    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason_required", _("Please give the reason for lifting"), field="reason")
    with transaction.atomic():
        r = Restriction.objects.select_for_update().select_related("person").get(pk=restriction.pk)
        if r.lifted_at is not None:
            raise StateConflict("already_lifted", _("This restriction has already been lifted"))
        r.lifted_at, r.lifted_by, r.lift_reason = timezone.now(), actor, reason[:255]
        r.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record(actor=actor, action="restriction.lift", obj=r,
               summary=_("Restriction on %(name)s lifted") % {"name": r.person.name},
               details={"reason": reason, "kind": r.kind})
        _tell("restriction.lifted", r, "lifted")
    return r


def check(*, user: User | None = None, person: Person | None = None, doing: str) -> None:
    """Raise Restricted if the person (or the person bound to `user`) may not do
    `doing` (Blocks.BOOKING or Blocks.APPLYING) today."""
    if person is None and (user is None or not user.is_authenticated):
        return
    current = _first_current(person_id=person.pk if person is not None else None,
                             account_id=user.pk if person is None else None, doing=doing)
    if current is not None:
        reason, until = current
        told = {"reason": reason, "doing": DOING[doing], "until": until, "contact": settings.HOUSEHOLD_OFFICE_CONTACT}
        if until:
            raise Restricted("restricted", _("You are restricted from %(doing)s because of “%(reason)s” (lifted "
                                             "automatically on %(until)s); please contact %(contact)s to lift it.")
                             % told)
        raise Restricted("restricted", _("You are restricted from %(doing)s because of “%(reason)s”; please "
                                         "contact %(contact)s to lift it.") % told)


def _first_current(*, person_id: int | None, account_id: int | None, doing: str) -> tuple | None:
    """(reason, until) of the person's earliest current restriction blocking `doing`,
    the person given or found by their account in the same statement. Written out:
    every booking, application and submission asks, and Django's compiling of the
    query (RestrictionQuerySet.current().blocking()) cost more than answering it."""
    table, people = (connection.ops.quote_name(m._meta.db_table) for m in (Restriction, Person))
    who = ("person_id = %s" if person_id is not None
           else f"person_id = (SELECT id FROM {people} WHERE account_id = %s)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT reason, until FROM {table} WHERE {who} AND lifted_at IS NULL "
                       "AND (until IS NULL OR until >= %s) AND blocks IN (%s, %s) ORDER BY created_at LIMIT 1",
                       [person_id if person_id is not None else account_id, timezone.localdate(), doing, Blocks.BOTH])
        row = cursor.fetchone()
    return (row[0], Restriction._meta.get_field("until").to_python(row[1])) if row else None


def guard_applying(*, actor: User, item, case=None) -> None:
    """The case engine's guard: a person restricted from applying may not start or
    submit an application."""
    check(user=actor, doing=Blocks.APPLYING)
