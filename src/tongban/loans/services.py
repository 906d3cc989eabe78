"""Lending and taking back, and the daily sweep: the reminder before the due date, the
restriction on the first overdue day, the reminders while overdue. Each is one
transaction with its audit entry and messages; the sweep's every act is keyed, so a
second run (or a second worker) adds nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.catalog.workdays import add_working_days
from tongban.lib.errors import ApplicationError, StateConflict
from tongban.loans.models import Loan, Policy
from tongban.notify.services import notify
from tongban.people.models import Person
from tongban.restrictions import services as restrictions
from tongban.restrictions.models import Blocks, Kind


def due_date_for(policy: Policy, start: dt.date) -> dt.date:
    if policy.working_days:
        return add_working_days(start, policy.days, unit=policy.org_unit)
    return start + dt.timedelta(days=policy.days)


def _tell(event: str, loan: Loan, fact: str, days: int = 0) -> None:
    if loan.person.account_id:
        notify(event=event, recipients=[loan.person.account], key=f"{event}:{loan.pk}:{fact}",
               context={"item": loan.item, "due": loan.due_date.isoformat(), "days": days},
               link="/loans/mine/", obj=loan)


def lend(*, actor: User, person: Person, policy: Policy, purpose: str, item: str = "",
         booking_ref: str = "") -> Loan:
    """Lend at the window (from the borrower's booking or as a walk-in). Refuses a
    person restricted from booking, and one who already holds as many as the policy
    allows."""
    authorize(actor, Action.LOAN_MANAGE, unit=policy.org_unit)
    if not policy.active:
        raise StateConflict("policy_inactive", "该借用规则已停用")
    purpose = purpose.strip()
    if not purpose:
        raise ApplicationError("purpose_required", "请填写借用用途", field="purpose")
    restrictions.check(person=person, doing=Blocks.BOOKING)
    with transaction.atomic():
        # one borrower at a time: lock the person's row so two windows cannot both lend
        person = Person.objects.select_for_update().get(pk=person.pk)
        held = Loan.objects.filter(person=person, policy=policy, returned_at__isnull=True).count()
        if held >= policy.max_open:
            raise StateConflict("already_borrowed", f"{person.name} 尚有未归还的{policy.name}，归还后才能再借。")
        now = timezone.now()
        loan = Loan.objects.create(policy=policy, person=person, item=(item.strip() or f"{policy.name}")[:64],
                                   purpose=purpose[:128], lent_at=now, lent_by=actor,
                                   due_date=due_date_for(policy, timezone.localdate(now)), booking_ref=booking_ref)
        record(actor=actor, action="loan.lend", obj=loan, summary=f"借出{loan.item}给 {person.name}",
               details={"due": loan.due_date.isoformat(), "purpose": loan.purpose, "policy": policy.pk})
        _tell("loan.lent", loan, "lent")
    return loan


def take_back(*, actor: User, loan: Loan) -> Loan:
    """Record the return: who received it and when. The overdue restriction stays until
    an admin lifts it, unless the policy lifts it on return."""
    authorize(actor, Action.LOAN_MANAGE, unit=loan.policy.org_unit)
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self", "person")).select_related("policy", "person").get(pk=loan.pk)
        if loan.returned_at is not None:
            raise StateConflict("already_returned", "该借用已归还登记")
        loan.returned_at, loan.received_by = timezone.now(), actor
        loan.save(update_fields=["returned_at", "received_by"])
        late = max(0, (timezone.localdate() - loan.due_date).days)
        record(actor=actor, action="loan.return", obj=loan, summary=f"{loan.person.name} 归还{loan.item}",
               details={"days_late": late})
        _tell("loan.returned", loan, "returned")
        if loan.policy.lift_on_return:
            restrictions.lift_by_source(source=f"loan:{loan.pk}", reason="已归还（规则：归还后自动解除）", actor=actor)
    return loan


def sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily sweep over open loans. Safe to run twice or on two workers."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "restricted": 0, "overdue_reminded": 0}
    open_loans = Loan.objects.filter(returned_at__isnull=True).select_related("policy", "person__account",
                                                                               "person__org_unit")
    for loan in open_loans.iterator(chunk_size=500):
        left = (loan.due_date - today).days
        with transaction.atomic():
            if 0 < left <= loan.policy.remind_days_before:
                counts["reminded"] += min(1, _offer("loan.due_soon", loan, f"due:{loan.due_date}", left))
            elif left < 0:
                late = -left
                if loan.policy.restrict_when_overdue:
                    made = restrictions.impose(
                        actor=None, person=loan.person, kind=Kind.OVERDUE_LOAN, blocks=Blocks.BOTH,
                        reason=f"{loan.item}逾期未还（应还日期 {loan.due_date}）", source=f"loan:{loan.pk}")
                    counts["restricted"] += made is not None
                every = loan.policy.overdue_reminder_every
                if late == 1 or (every and late % every == 0):
                    # the first overdue day's reminder, then one every few days
                    counts["overdue_reminded"] += min(1, _offer("loan.overdue", loan, f"overdue:{late}", late))
    return counts


def _offer(event: str, loan: Loan, fact: str, days: int) -> int:
    if not loan.person.account_id:
        return 0
    return notify(event=event, recipients=[loan.person.account], key=f"{event}:{loan.pk}:{fact}",
                  context={"item": loan.item, "due": loan.due_date.isoformat(), "days": days},
                  link="/loans/mine/", obj=loan)
