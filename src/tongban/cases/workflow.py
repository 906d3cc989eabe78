"""The workflow runtime: entering a stage (skipping steps whose condition says so,
finding each step's unit, creating its work items with due dates in working days),
deciding when a stage is finished, and who may act on a work item."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.cases.models import Case, Delegation, WorkItem
from tongban.catalog import conditions
from tongban.catalog.models import UnitRule
from tongban.catalog.workdays import Deadlines
from tongban.lib.errors import NotAllowed, StateConflict


def resolve_unit(step: dict, case: Case, previous: OrgUnit | None) -> OrgUnit:
    rule = step["unit_rule"]
    if rule == UnitRule.FIXED:
        return OrgUnit.objects.get(pk=step["unit_id"])
    if rule == UnitRule.APPLICANT_UNIT:
        if case.applicant_unit is None:
            raise StateConflict("no_applicant_unit",
                                _("The applicant belongs to no college or unit, so the handling unit cannot be found"))
        return case.applicant_unit
    if rule == UnitRule.PARENT_OF_PREVIOUS:
        base = previous or case.org_unit
        return base.parent or base
    if rule == UnitRule.SAME_AS_PREVIOUS:
        return previous or case.org_unit
    return case.org_unit


def _previous_unit(case: Case, stage: int) -> OrgUnit | None:
    last = (WorkItem.objects.filter(case=case, stage__lt=stage, state=WorkItem.State.DONE)
            .select_related("org_unit").order_by("-stage", "-id").first())
    return last.org_unit if last else None


# The rules that look at the unit of the stage before.
_FROM_PREVIOUS = (UnitRule.PARENT_OF_PREVIOUS, UnitRule.SAME_AS_PREVIOUS)


def enter_stage(case: Case, stage: int, *, today: date | None = None,
                deadlines: Deadlines | None = None) -> list[WorkItem]:
    """Create the work items of `stage` (1-based) and of later stages while every step
    of a stage is skipped; return the items created (empty: the workflow is done).
    `deadlines`: the act's own, when it sets other deadlines too (one closure read)."""
    today = today or timezone.localdate()
    deadlines = deadlines or Deadlines()
    stages = case.config["stages"]
    while stage <= len(stages):
        # the unit of the stage before, read only when a step asks for it (never for
        # stage 1: nothing comes before it)
        previous = (_previous_unit(case, stage)
                    if stage > 1 and any(step["unit_rule"] in _FROM_PREVIOUS for step in stages[stage - 1])
                    else None)
        created = []
        for step in stages[stage - 1]:
            skip = conditions.parse(step["skip_if"]).evaluate(case.answers) if step["skip_if"] else False
            unit = resolve_unit(step, case, previous)
            created.append(WorkItem(
                case=case, stage=stage, step_key=step["key"], step_name=step["name"], role=step["role"],
                org_unit=unit, needs_signature=step["needs_signature"],
                state=WorkItem.State.SKIPPED if skip else WorkItem.State.OPEN,
                due_date=deadlines.add_working_days(today, step["time_limit_days"], unit=unit)))
        WorkItem.objects.bulk_create(created)
        case.stage = stage
        opened = [w for w in created if w.state == WorkItem.State.OPEN]
        if opened:
            return opened
        stage += 1
    case.stage = len(stages) + 1
    return []


def stage_finished(case: Case) -> bool:
    return not WorkItem.objects.filter(case=case, stage=case.stage, state=WorkItem.State.OPEN).exists()


def parties(case: Case) -> set[int]:
    """The accounts a case is about: its applicant and its subject's bound account (a
    child applied for by a parent). None of them decides it, directly or through a
    delegation."""
    people = {case.applicant_id}
    if case.subject_person_id:
        account = case.subject_person.account_id
        if account:
            people.add(account)
    return people


def active_delegations(on: date | None = None) -> QuerySet[Delegation]:
    return Delegation.objects.active(on or timezone.localdate())


def holders(item: WorkItem, *, on: date | None = None) -> list[User]:
    """Who may act on `item`: the active holders of its role in its unit. A claimed
    item belongs to its assignee, or to the assignee's delegate for today, as long as
    each still holds the role there (a delegation passes on only work its delegate is
    entitled to in their own role)."""
    members = list(_active_holders(item.role, item.org_unit_id))
    if not item.assignee_id:
        return members
    ids = {u.pk for u in members}
    if item.assignee_id not in ids:
        return []
    delegates = set(active_delegations(on).filter(delegator_id=item.assignee_id).values_list("delegate_id", flat=True))
    return [u for u in members if u.pk == item.assignee_id or u.pk in delegates]


def _active_holders(role: str, unit_id: int):
    """The active users holding `role` in the unit. Written out: every act that opens
    work asks, and compiling the ORM's form of it cost more than PostgreSQL's
    answering it."""
    quote = connection.ops.quote_name
    user_t, member_t = (quote(m._meta.db_table) for m in (User, Membership))
    return User.objects.raw(
        f"SELECT u.* FROM {member_t} m JOIN {user_t} u ON u.id = m.user_id "
        f"WHERE m.role = %s AND m.org_unit_id = %s AND u.is_active ORDER BY m.id", [role, unit_id])


def workable_by(user: User, *, on: date | None = None) -> QuerySet[WorkItem]:
    """Open work items `user` may act on: unclaimed or claimed by them, for the roles
    and units they hold; and those claimed by someone who delegated to them today,
    for the roles and units both of them hold. A revoked or ended delegation gives
    nothing from that moment, and neither does a role lost since."""
    if not user.is_active:
        return WorkItem.objects.none()
    delegators = set(active_delegations(on).filter(delegate=user).values_list("delegator_id", flat=True))
    held: dict[int, set[tuple[str, int]]] = {}
    for owner, role, unit_id in Membership.objects.filter(
            user__in=[user.pk, *delegators], user__is_active=True).values_list("user_id", "role", "org_unit_id"):
        held.setdefault(owner, set()).add((role, unit_id))
    own = held.get(user.pk, set())

    def of(pairs) -> Q:
        q = Q(pk__in=[])
        for role, unit_id in pairs:
            q |= Q(role=role, org_unit_id=unit_id)
        return q

    q = of(own) & (Q(assignee__isnull=True) | Q(assignee=user))
    for delegator in delegators:
        shared = own & held.get(delegator, set())
        if shared:
            q |= of(shared) & Q(assignee_id=delegator)
    return WorkItem.objects.filter(state=WorkItem.State.OPEN).filter(q)


def shared_roles(a: User, b: User) -> set[tuple[str, int]]:
    """The (role, unit) pairs of work both hold: what a delegation from `a` to `b` can
    pass on (an auxiliary's never: they decide nothing)."""
    from tongban.accounts.roles import STAFF_ROLES, Role

    roles = STAFF_ROLES - {Role.AUXILIARY}
    pairs = {}
    for user_id, role, unit_id in Membership.objects.filter(user__in=[a.pk, b.pk], role__in=roles).values_list(
            "user_id", "role", "org_unit_id"):
        pairs.setdefault(user_id, set()).add((role, unit_id))
    return pairs.get(a.pk, set()) & pairs.get(b.pk, set())


def authority(actor: User, item: WorkItem, *, on: date | None = None, lock: bool = False) -> Delegation | None:
    """Whether `actor` may act on `item` (of its case, read with its subject): raises
    NotAllowed naming why, or returns the delegation they act through (None: in
    their own right). The same rule as `workable_by`, for one item, asked by the act
    itself; `lock`: the delegation's row is locked to the act's end, so a revocation
    waits for the decision made through it, or the decision sees it revoked."""
    case = item.case
    involved = parties(case)
    if actor.pk in involved:
        raise NotAllowed("own_case", _("You cannot handle an application you submitted or that is about you."))
    not_yours = NotAllowed("not_your_work", _("This to-do is not yours."))
    if not actor.is_active or not Membership.objects.filter(
            user=actor, role=item.role, org_unit_id=item.org_unit_id).exists():
        raise not_yours
    if item.assignee_id in (None, actor.pk):
        return None
    delegations = active_delegations(on).filter(delegator_id=item.assignee_id, delegate=actor)
    delegation = (delegations.select_for_update(of=("self",)) if lock else delegations).order_by("pk").first()
    if delegation is None:
        raise not_yours
    if item.assignee_id in involved:
        raise NotAllowed("own_case", _("A delegator cannot handle through someone else an application they "
                                             "submitted or that is about them."))
    if not Membership.objects.filter(user_id=item.assignee_id, user__is_active=True, role=item.role,
                                     org_unit_id=item.org_unit_id).exists():
        raise not_yours
    return delegation
