"""Whether a workflow can finish: for every step, the units a case can send it to and
whether someone active holds the step's role in each. A work item goes to the holders
of its role in exactly its unit (cases.workflow.holders), so a step whose role nobody
holds there stalls every case that reaches it.

The units a step can resolve to follow cases.workflow.resolve_unit:
- fixed: the chosen unit; service_unit: the service's unit;
- applicant_unit: the unit of any person the service is for (its audience), as the
  people records stand now (none yet: nothing to check until they are imported);
- same_as_previous / parent_of_previous: any unit a step of the stage before can
  resolve to (or its parent), reaching further back while every step of that stage
  may be skipped, and to the service's unit before the first stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from tongban.accounts.models import Membership, OrgUnit
from tongban.accounts.roles import Action, Reach, Role, reach_of
from tongban.catalog.eligibility import categories_for
from tongban.catalog.models import UnitRule
from tongban.people.models import Person

# the "role" of the acceptance a service with needs_acceptance starts with: anyone
# whose role may accept for the service's unit, in it or from above (cases.services)
ACCEPTORS = "acceptors"


@dataclass(frozen=True)
class Gap:
    """A step that, sent to `unit`, finds nobody holding `role` there."""

    step_key: str
    step_name: str
    role: str
    unit: OrgUnit

    @property
    def role_label(self) -> str:
        if self.role == ACCEPTORS:
            return gettext("someone who may accept (a counter clerk or a hukou officer)")
        return Role(self.role).label

    @property
    def message(self) -> str:
        if self.role == ACCEPTORS:
            return gettext("Acceptance: %(unit)s has no %(role)s; submitted cases would have nobody to accept "
                           "them") % {"unit": self.unit.name, "role": self.role_label}
        return gettext("Approval step \"%(step)s\" (%(key)s): %(unit)s has no %(role)s at work; cases would stop "
                       "at this step") % {"step": self.step_name, "key": self.step_key, "unit": self.unit.name,
                                          "role": self.role_label}


def _applicant_units(audience: list[str]) -> set[int]:
    people = Person.objects.exclude(org_unit=None)
    wanted = [categories_for(a) for a in audience]
    if audience and None not in wanted:
        people = people.filter(category__in=set().union(*wanted))
    return set(people.order_by().values_list("org_unit_id", flat=True).distinct())


def step_units(config: dict) -> list[tuple[dict, set[int]]]:
    """Each step of a frozen (or checked) configuration with the ids of the units a
    case can send it to."""
    item = config["item"]
    service_unit = item["org_unit_id"]
    applicants: set[int] | None = None
    parents: dict[int, int] = {}
    out: list[tuple[dict, set[int]]] = []
    # what "the step before" can be, stage by stage: the service's unit before any
    before: set[int] = {service_unit}
    for steps in config["stages"]:
        if any(s["unit_rule"] == UnitRule.PARENT_OF_PREVIOUS for s in steps):
            missing = before - parents.keys()
            parents.update({pk: parent or pk for pk, parent in
                            OrgUnit.objects.filter(pk__in=missing).values_list("pk", "parent_id")})
        here: set[int] = set()
        for step in steps:
            rule = step["unit_rule"]
            if rule == UnitRule.FIXED:
                units = {step["unit_id"]}
            elif rule == UnitRule.APPLICANT_UNIT:
                if applicants is None:
                    applicants = _applicant_units(item.get("audience") or [])
                units = set(applicants)
            elif rule == UnitRule.PARENT_OF_PREVIOUS:
                units = {parents[pk] for pk in before}
            elif rule == UnitRule.SAME_AS_PREVIOUS:
                units = set(before)
            else:
                units = {service_unit}
            out.append((step, units))
            here |= units
        # a stage whose every step may be skipped can leave the one before as "previous"
        before = (before | here) if all(s["skip_if"] for s in steps) else here
    return out


def _acceptance_gap(config: dict) -> Gap | None:
    """A service accepted at the window first, whose unit nobody may accept for."""
    if not config["item"].get("needs_acceptance"):
        return None
    unit = OrgUnit.objects.get(pk=config["item"]["org_unit_id"])
    roles = [role for role in Role.values if reach_of(role, Action.CASE_ACCEPT) not in (None, Reach.OWN)]
    for m in Membership.objects.filter(role__in=roles, user__is_active=True).select_related("org_unit"):
        reach = reach_of(m.role, Action.CASE_ACCEPT)
        if (m.org_unit_id == unit.pk or reach == Reach.ALL
                or (reach == Reach.SUBTREE and unit.path.startswith(m.org_unit.path))):
            return None
    return Gap("acceptance", gettext("Acceptance at the counter"), ACCEPTORS, unit)


def unheld_steps(config: dict) -> list[Gap]:
    """The (step, unit) pairs where no active user holds the step's role, in
    workflow order, after the acceptance (for a service accepted first) if nobody may
    accept for its unit. A few queries, and one more for the people of an
    applicant_unit step."""
    acceptance = _acceptance_gap(config)
    pairs = step_units(config)
    roles = {step["role"] for step, _ in pairs}
    unit_ids = set().union(*(units for _, units in pairs)) if pairs else set()
    held = set(Membership.objects.filter(role__in=roles, org_unit_id__in=unit_ids, user__is_active=True)
               .order_by().values_list("role", "org_unit_id").distinct())
    units = OrgUnit.objects.in_bulk(unit_ids)
    gaps = [acceptance] if acceptance else []
    for step, step_unit_ids in pairs:
        for pk in sorted(step_unit_ids, key=lambda pk: units[pk].path if pk in units else ""):
            if (step["role"], pk) not in held and pk in units:
                gaps.append(Gap(step["key"], step["name"], step["role"], units[pk]))
    return gaps
