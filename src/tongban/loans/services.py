"""Lending and taking back, and the daily sweep: the reminder before the due date, the
restriction on the first overdue day, the reminders while overdue. Each is one
transaction with its audit entry and messages; the sweep's every act is keyed, so a
second run (or a second worker) adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.booking.models import Booking, State
from tongban.catalog.workdays import add_working_days
from tongban.lib.errors import ApplicationError, StateConflict
from tongban.loans.models import Loan, Policy
from tongban.notify.services import Outgoing, Reach, notify_each
from tongban.people.models import Person
from tongban.restrictions import services as restrictions
from tongban.restrictions.models import Blocks, Kind


@transaction.atomic
def save_policy(*, actor: User | None, policy: Policy, changed: list[str]) -> Policy:
    """Save a lending policy from the back office, on the trail with the changed
    fields. Refuses (NotAllowed) a unit, old or new, where the actor may not
    lend (loan.manage)."""
    before = Policy.objects.select_for_update().get(pk=policy.pk) if policy.pk else None
    if actor is not None:
        authorize(actor, Action.LOAN_MANAGE, unit=policy.org_unit)
        if before is not None and before.org_unit_id != policy.org_unit_id:
            authorize(actor, Action.LOAN_MANAGE, unit=before.org_unit)
    policy.full_clean()
    policy.save()
    record(actor=actor, action="loans.policy_change" if before else "loans.policy_add", obj=policy,
           summary=(_("Loan policy changed: %(policy)s") if before else _("Loan policy added: %(policy)s"))
           % {"policy": policy},
           details={name: str(getattr(policy, name)) for name in changed})
    return policy


def due_date_for(policy: Policy, start: dt.date) -> dt.date:
    if policy.working_days:
        return add_working_days(start, policy.days, unit=policy.org_unit)
    return start + dt.timedelta(days=policy.days)


def _tell(event: str, loan: Loan, fact: str, days: int = 0) -> None:
    notify_each(event=event, outgoing=[_outgoing(event, loan, fact, days)])


def lend(*, actor: User, booking: Booking, policy: Policy, purpose: str, item: str = "") -> Loan:
    """Lend at the window to the person of `booking`, against that booking: a booking
    of the policy's service (the card loan), checked in today (a walk-in is queued
    first), with no loan yet. Refuses, each with its code and the reason: staff
    without the loan and window rights over the policy's and the booking's units, an
    inactive policy or one naming no service, a missing purpose, a booking of another
    service, not checked in (or of another day, cancelled, no-show, served), a booking
    already lent against, a person restricted, a person whose collective household
    record is not in school (awaiting, waived, under review, stored, moved out), and
    a person who already holds as many as the policy allows (counting what they hold
    under any policy: by default, no loan while one is out).

    The person's row is locked first, then the booking's (the booking app's order), so
    two windows lending on one booking, or on two bookings of one person, at once
    lend one card; the one-loan-per-booking key refuses a second too."""
    from tongban.hukou.services import require_in_school

    authorize(actor, Action.LOAN_MANAGE, unit=policy.org_unit)
    authorize(actor, Action.BOOKING_DESK, unit=booking.resource.org_unit)
    if not policy.active:
        raise StateConflict("policy_inactive", _("This loan policy is no longer active"))
    if policy.service_id is None:
        raise StateConflict("policy_without_service", _("Loan policy “%(policy)s” has no service booked for the loan; "
                                                        "an "
                                                        "admin must set it in the back office before lending.")
                            % {"policy": policy})
    purpose = purpose.strip()
    if not purpose:
        raise ApplicationError("purpose_required", _("Please give the purpose of the loan"), field="purpose")
    try:
        with transaction.atomic():
            person = Person.objects.select_for_update(of=("self",)).get(pk=booking.person_id)
            b = (Booking.objects.select_for_update(of=("self",)).select_related("service")
                 .get(pk=booking.pk))
            _lendable(b, policy)
            restrictions.check(person=person, doing=Blocks.BOOKING)
            require_in_school(person=person, doing=_("borrow %(item)s") % {"item": policy.name})
            # whatever they hold counts, under any policy: never a card while one is out
            held = list(Loan.objects.filter(person=person, returned_at__isnull=True).order_by("lent_at"))
            if held:
                first = held[0]
                raise StateConflict("already_borrowed", _("%(name)s has not yet returned %(item)s (lent %(lent)s, due "
                                                          "%(due)s); "
                                      "they can borrow again after returning it.") % {
                                        "name": person.name, "item": first.item, "due": first.due_date,
                                        "lent": f"{timezone.localtime(first.lent_at):%Y-%m-%d}"})
            now = timezone.now()
            loan = Loan.objects.create(policy=policy, person=person, item=(item.strip() or f"{policy.name}")[:64],
                                       purpose=purpose[:128], lent_at=now, lent_by=actor,
                                       due_date=due_date_for(policy, timezone.localdate(now)), booking=b)
            record(actor=actor, action="loan.lend", obj=loan,
                   summary=_("Lent %(item)s to %(name)s") % {"item": loan.item, "name": person.name},
                   details={"due": loan.due_date.isoformat(), "purpose": loan.purpose, "policy": policy.pk,
                            "booking": b.pk})
            _tell("loan.lent", loan, "lent")
    except IntegrityError as exc:
        # the other window's loan on this booking committed first (the one-to-one key)
        raise StateConflict("booking_has_loan", _("Already lent against this booking; one booking, one loan.")) from exc
    return loan


def _lendable(b: Booking, policy: Policy) -> None:
    """Refuse a booking that is not a checked-in, today's card-loan booking without a
    loan."""
    if b.service_id != policy.service_id:
        raise StateConflict("booking_wrong_service", _("This booking is for “%(service)s”; %(item)s cannot be lent "
                                                       "against it.") % {"service": b.service.name,
                                                                         "item": policy.name}, field="booking")
    if b.date != timezone.localdate():
        raise StateConflict("booking_not_today",
                            _("This booking is on %(date)s; lend only on its day, after check-in.")
                                % {"date": f"{b.date:%Y-%m-%d}"},
                            field="booking")
    if b.state == State.BOOKED:
        raise StateConflict("booking_not_checked_in",
                            _("This booking is not checked in yet; check in before lending."), field="booking")
    if b.state != State.CHECKED_IN:
        raise StateConflict("booking_not_checked_in",
                            _("This booking is %(state)s; nothing can be lent against it.")
                                % {"state": b.get_state_display()}, field="booking")
    lent = Loan.objects.filter(booking=b).first()
    if lent is not None:
        when = f"{timezone.localtime(lent.lent_at):%Y-%m-%d %H:%M}"
        raise StateConflict("booking_has_loan", _("%(item)s was lent against this booking at %(when)s; one booking, "
                                                  "one loan.") % {"item": lent.item, "when": when}, field="booking")


def take_back(*, actor: User, loan: Loan) -> Loan:
    """Record the return: who received it and when. The overdue restriction stays until
    an admin lifts it, unless the policy lifts it on return."""
    authorize(actor, Action.LOAN_MANAGE, unit=loan.policy.org_unit)
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self", "person")).select_related("policy", "person").get(pk=loan.pk)
        if loan.returned_at is not None:
            raise StateConflict("already_returned", _("This loan is already recorded as returned"))
        loan.returned_at, loan.received_by = timezone.now(), actor
        loan.save(update_fields=["returned_at", "received_by"])
        late = max(0, (timezone.localdate() - loan.due_date).days)
        record(actor=actor, action="loan.return", obj=loan,
               summary=_("%(name)s returned %(item)s") % {"name": loan.person.name, "item": loan.item},
               details={"days_late": late})
        _tell("loan.returned", loan, "returned")
        if loan.policy.lift_on_return:
            restrictions.lift_by_source(source=f"loan:{loan.pk}", reason=_("Returned (policy: lifted on return)"),
                                        actor=actor)
    return loan


SWEEP_CHUNK = 2_000


def sweep(*, today: dt.date | None = None, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """The daily sweep over open loans: the reminder before the due date, the
    restriction on the first overdue day, the reminders while overdue. Reads only the
    loans due within a policy's reminder days or past due, a chunk at a time, each
    chunk one transaction with its restrictions, audit entries and messages written
    in batches. Safe to run twice or on two workers (every act is keyed), and to stop
    and run again. `progress(done, total)` after each chunk."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "restricted": 0, "overdue_reminded": 0}
    policies = {p.pk: p for p in Policy.objects.all()}
    if not policies:
        return counts
    near = Q()
    for p in policies.values():
        near |= Q(policy=p.pk, due_date__lte=today + dt.timedelta(days=p.remind_days_before))
    todo = Loan.objects.filter(near, returned_at__isnull=True).order_by("pk")
    total, done, last = todo.count(), 0, 0
    while chunk := _chunk(todo.filter(pk__gt=last)[:SWEEP_CHUNK]):
        last = chunk[-1].pk
        with transaction.atomic():
            _sweep_chunk(chunk, policies, today, counts)
        done += len(chunk)
        if progress:
            progress(done, total)
    return counts


def _in_model_order(model, names: set[str]) -> list[str]:
    """`names` in the order of the model's fields, as Model.from_db takes them."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]


# What the reminders and restrictions need of a loan, its borrower and their account.
_LOAN = _in_model_order(Loan, {"id", "policy_id", "person_id", "item", "due_date"})
_PERSON = _in_model_order(Person, {"id", "name", "account_id"})
_ACCOUNT = _in_model_order(User, {"id", "username", "display_name", "email", "wechat_openid"})


def _chunk(loans) -> list[Loan]:
    """The loans with their borrowers and accounts, as models holding just those
    fields: building whole ones was a third of a sweep of 100,000."""
    people = [f"person__{f}" if f != "id" else "person_id" for f in _PERSON]
    accounts = [f"person__account__{f}" if f != "id" else "person__account_id" for f in _ACCOUNT]
    # related objects cached as select_related caches them (assigning through the
    # descriptors checked each one, a tenth of the sweep)
    to_person, to_account = Loan._meta.get_field("person"), Person._meta.get_field("account")
    chunk = []
    for row in loans.values(*_LOAN, *people, *accounts):
        loan = Loan.from_db(connection.alias, _LOAN, [row[f] for f in _LOAN])
        person = Person.from_db(connection.alias, _PERSON, [row[f] for f in people])
        to_person.set_cached_value(loan, person)
        if row["person__account_id"] is not None:
            to_account.set_cached_value(person, User.from_db(connection.alias, _ACCOUNT, [row[f] for f in accounts]))
        chunk.append(loan)
    return chunk


def _sweep_chunk(chunk: list[Loan], policies: dict[int, Policy], today: dt.date, counts: dict[str, int]) -> None:
    soon: list[Outgoing] = []
    late: list[Outgoing] = []
    overdue: list[restrictions.Imposition] = []
    for loan in chunk:
        policy = policies[loan.policy_id]
        left = (loan.due_date - today).days
        if 0 < left <= policy.remind_days_before:
            soon.append(_outgoing("loan.due_soon", loan, f"due:{loan.due_date}", left))
        elif left < 0:
            if policy.restrict_when_overdue:
                overdue.append(restrictions.Imposition(
                    person=loan.person, kind=Kind.OVERDUE_LOAN, blocks=Blocks.BOTH, source=f"loan:{loan.pk}",
                    reason=_("%(item)s overdue, not returned (due %(due)s)") % {"item": loan.item,
                                                                                "due": loan.due_date}))
            every = policy.overdue_reminder_every
            if -left == 1 or (every and -left % every == 0):
                # the first overdue day's reminder, then one every few days
                late.append(_outgoing("loan.overdue", loan, f"overdue:{-left}", -left))
    counts["restricted"] += len(restrictions.impose_many(overdue))
    for event, outgoing, counted in (("loan.due_soon", soon, "reminded"), ("loan.overdue", late, "overdue_reminded")):
        reached: Counter = Counter()
        notify_each(event=event, outgoing=outgoing, tally=reached)
        counts[counted] += reached[Reach.INBOX] + reached[Reach.SMS]


def _outgoing(event: str, loan: Loan, fact: str, days: int) -> Outgoing:
    """To the borrower's account, or by text to a borrower who has none."""
    return Outgoing.for_person(loan.person, f"{event}:{loan.pk}:{fact}",
                               {"item": loan.item, "due": loan.due_date.isoformat(), "days": days},
                               reverse("loans:mine"),
                               loan)
