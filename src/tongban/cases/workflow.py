"""The workflow runtime: entering a stage (skipping steps whose condition says so,
finding each step's unit, creating its work items with due dates in working days),
deciding when a stage is finished, and who may act on a work item."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.cases.models import Case, Delegation, WorkItem
from tongban.catalog import conditions
from tongban.catalog.models import UnitRule
from tongban.catalog.workdays import Deadlines
from tongban.lib.errors import StateConflict


def resolve_unit(step: dict, case: Case, previous: OrgUnit | None) -> OrgUnit:
    rule = step["unit_rule"]
    if rule == UnitRule.FIXED:
        return OrgUnit.objects.get(pk=step["unit_id"])
    if rule == UnitRule.APPLICANT_UNIT:
        if case.applicant_unit is None:
            raise StateConflict("no_applicant_unit", "申请人没有所属学院/单位，无法确定办理单位")
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


def holders(item: WorkItem, *, on: date | None = None) -> list[User]:
    """Who may act on `item`: whoever holds its role in its unit, and their delegates
    for today. A claimed item belongs to its assignee (and their delegates)."""
    on = on or timezone.localdate()
    today = Delegation.objects.filter(start__lte=on, end__gte=on)
    if item.assignee_id:
        base, delegating = [item.assignee], True
    else:
        # whether each holder delegated today comes with the holders, so the delegates
        # are looked up only when someone did (seldom), not in a query of their own
        members = list(_active_holders(item.role, item.org_unit_id, on))
        base, delegating = members, any(u.delegated for u in members)
    delegates = [d.delegate for d in today.filter(delegator__in=base).select_related("delegate")] if delegating else []
    seen, people = set(), []
    for user in [*base, *delegates]:
        if user.pk not in seen:
            seen.add(user.pk)
            people.append(user)
    return people


def _active_holders(role: str, unit_id: int, on: date):
    """The active users holding `role` in the unit, each with `delegated`: whether they
    delegated their work for `on`. Written out: every act that opens work asks, and
    compiling the ORM's form of it (a join and an EXISTS annotation) cost more than
    PostgreSQL's answering it."""
    quote = connection.ops.quote_name
    user_t, member_t, delegation_t = (quote(m._meta.db_table) for m in (User, Membership, Delegation))
    return User.objects.raw(
        f"SELECT u.*, EXISTS (SELECT 1 FROM {delegation_t} d WHERE d.delegator_id = u.id AND d.start <= %s "
        f"AND d.{quote('end')} >= %s) AS delegated FROM {member_t} m JOIN {user_t} u ON u.id = m.user_id "
        f"WHERE m.role = %s AND m.org_unit_id = %s AND u.is_active ORDER BY m.id", [on, on, role, unit_id])


def workable_by(user: User, *, on: date | None = None) -> QuerySet[WorkItem]:
    """Open work items `user` may act on: for their own roles and units, or for those
    of someone who delegated to them today; a claimed item only by its assignee (or
    the assignee's delegate)."""
    on = on or timezone.localdate()
    principals = [user.pk, *Delegation.objects.filter(delegate=user, start__lte=on, end__gte=on)
                  .values_list("delegator_id", flat=True)]
    pairs = Membership.objects.filter(user__in=principals).values_list("role", "org_unit_id")
    q = Q(pk__in=[])
    for role, unit_id in set(pairs):
        q |= Q(role=role, org_unit_id=unit_id)
    return WorkItem.objects.filter(state=WorkItem.State.OPEN).filter(
        Q(assignee__isnull=True) & q | Q(assignee__in=principals))
