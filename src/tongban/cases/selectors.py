"""Reading cases: an applicant sees their own; staff see the cases of the units their
roles reach and the ones their work items are on; to-do lists per viewer."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tongban.accounts.access import one_within, refused, scope, scope_of
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import STAFF_ROLES, Action
from tongban.cases import rules, workflow
from tongban.cases.models import Attachment, Case, Delegation, Status, WorkItem
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.forms_runtime import applicable_materials
from tongban.catalog.models import ServiceItem, ServiceVersion
from tongban.lib.configcache import ConfigCache

STAFF_ACTIONS = (Action.CASE_ACCEPT, Action.CASE_APPROVE, Action.CASE_PREPARE)


# the service an applicant opens or applies for, kept per process (read-only): its
# publishing, withdrawing or editing shows in every worker within half a minute
_PUBLISHED = ConfigCache("published items", watch=(ServiceItem, ServiceVersion, OrgUnit), keep_missing=False)


def published_item(*, code: str) -> ServiceItem:
    item = _PUBLISHED.get(code, lambda: catalog_selectors.published().filter(code=code).first())
    if item is None:
        raise Http404
    return item


def own_cases(*, user: User) -> QuerySet[Case]:
    return Case.objects.filter(applicant=user).select_related("item") if user.is_authenticated else Case.objects.none()


def own_case(*, user: User, pk: int) -> Case:
    case = own_cases(user=user).filter(pk=pk).first()
    if case is None:
        raise refused(user, Case, pk)
    return case


def case_materials(case: Case) -> list[dict]:
    """The materials that apply to the case's answers, each with its files (read only
    when one applies)."""
    materials = applicable_materials(case.config, case.answers)
    files = list(case.attachments.all()) if materials else []
    return [{**m, "files": [f for f in files if f.material_key == m["key"]]} for m in materials]


def applicant_may(case: Case) -> dict[str, bool]:
    """What the applicant may do with their case as it stands (the page's buttons, the
    API's `actions`); each service checks again."""
    editable = case.status in (Status.DRAFT, Status.RETURNED)
    return {"edit": editable, "submit": editable,
            "withdraw": case.status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.IN_APPROVAL),
            "urge": rules.urge_refusal(case) is None,
            "upload": editable or (case.status == Status.IN_APPROVAL and bool(case.deficiencies))}


def _reached_units(user: User) -> list[int] | None:
    """The ids of the org units whose cases the user's staff roles reach (None: every
    unit). Looked up once on the small org tree, so that the cases are filtered by
    their own unit columns (indexed with the status) rather than by joins on OrgUnit.path
    for every case."""
    reach = Q(pk__in=[])
    for action in STAFF_ACTIONS:
        s = scope_of(user, action)
        if s.everything:
            return None
        if s.unit_ids:
            reach |= Q(pk__in=s.unit_ids)
        for path in s.subtree_paths:
            reach |= Q(path__startswith=path)
    return list(OrgUnit.objects.filter(reach).values_list("pk", flat=True))


# Beyond this many cases of work outside one's units, they are filtered by a subquery.
OUTSIDE_LIST = 1_000


def _staff_filter(user: User, units: list[int] | None) -> Q:
    if units is None:
        return Q()
    q = Q(org_unit_id__in=units) | Q(applicant_unit_id__in=units)
    # The cases of open work the viewer may act on outside those units (a step of a
    # fixed unit, a delegator's work): usually none or a few, so looked up once as a
    # list. As `pk IN (subquery)` the planner guessed half the cases matched, and
    # counted a college's cases with a scan of the whole table.
    outside = (workflow.workable_by(user).exclude(case__org_unit_id__in=units)
               .exclude(case__applicant_unit_id__in=units).values("case_id"))
    ids = list(outside.order_by().values_list("case_id", flat=True).distinct()[:OUTSIDE_LIST + 1])
    if len(ids) > OUTSIDE_LIST:
        return q | Q(pk__in=outside)
    return q | Q(pk__in=ids) if ids else q


def staff_cases(*, user: User, query: str = "", status: str = "") -> QuerySet[Case]:
    """Cases a staff member may list and search, by serial, applicant name or status:
    those of the units their roles reach, and those with work they may act on now.
    Not every case whose work they once decided or claimed in another unit's case:
    that set grows with the years and cost every search of a busy officer a scan of
    a hundred thousand work items (bench/cases_scale.py); the 已办 tab lists those
    cases and `staff_case` still opens them."""
    qs = Case.objects.exclude(status=Status.DRAFT).filter(_staff_filter(user, _reached_units(user)))
    query = query.strip()
    if query:
        qs = qs.filter(serial=query.upper()) if "-" in query else qs.filter(applicant_name__startswith=query)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("item")


def staff_case(*, user: User, pk: int) -> Case:
    """A case a staff member may open: one `staff_cases` lists, or one with work they
    decided or claimed. 404 otherwise (and for a draft)."""
    case = (Case.objects.exclude(status=Status.DRAFT).select_related("item", "version", "org_unit", "applicant_unit")
            .filter(pk=pk).first())
    if case is None:
        raise refused(user, Case, pk)
    units = _reached_units(user)
    if units is None or case.org_unit_id in units or case.applicant_unit_id in units:
        return case
    work = WorkItem.objects.filter(case=case)
    if work.filter(Q(decided_by=user) | Q(assignee=user)).exists() or workflow.workable_by(user).filter(
            case=case).exists():
        return case
    if _supervises(user, case):
        return case
    raise refused(user, Case, pk)


def _supervises(user: User, case: Case) -> bool:
    """A supervisor (督办) follows the cases of the units they oversee: the case's, its
    applicant's, or a unit one of its steps is (or was) worked in, as the overdue
    sweep's escalation and the 督办 tab name them."""
    oversight = scope_of(user, Action.DASHBOARD_VIEW)
    if oversight.nothing:
        return False
    units = OrgUnit.objects.filter(Q(pk__in=[case.org_unit_id, case.applicant_unit_id])
                                   | Q(pk__in=WorkItem.objects.filter(case=case).values("org_unit_id")))
    return any(oversight.covers_unit(unit) for unit in units)


def staff_work_item(*, user: User, pk: int) -> WorkItem:
    """A work item of a case the staff member may open (`staff_case`); 404 otherwise."""
    item = WorkItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    staff_case(user=user, pk=item.case_id)
    return item


def acceptance_queue(*, user: User) -> QuerySet[Case]:
    qs = Case.objects.filter(status=Status.SUBMITTED).select_related("item").order_by("submitted_at", "id")
    return scope(qs, user, Action.CASE_ACCEPT, unit_field="org_unit")


def todo(*, user: User, tab: str = "mine") -> QuerySet[WorkItem]:
    """mine: open work I may act on; unit: open work of my units; overdue: mine past
    its deadline; done: what I decided."""
    base = WorkItem.objects.select_related("case", "case__item", "org_unit", "assignee")
    if tab == "done":
        return base.filter(decided_by=user).order_by("-decided_at")
    if tab == "unit":
        # the units one works in: not the college one studies in
        units = user.memberships.filter(role__in=STAFF_ROLES).values("org_unit_id")
        return base.filter(state=WorkItem.State.OPEN, org_unit_id__in=units)
    if tab == "supervise":
        return late_work(user=user)
    # workable_by's own query with the joins (not a second pass over the work items)
    mine = workflow.workable_by(user).select_related("case", "case__item", "org_unit", "assignee").exclude(
        case__applicant=user)
    if tab == "overdue":
        return mine.filter(due_date__lt=timezone.localdate())
    return mine


def late_work(*, user: User) -> QuerySet[WorkItem]:
    """For supervisors: open work past its deadline anywhere in the units they oversee."""
    qs = WorkItem.objects.filter(state=WorkItem.State.OPEN, due_date__lt=timezone.localdate()).select_related(
        "case", "case__item", "org_unit", "assignee").order_by("due_date", "id")
    return scope(qs, user, Action.DASHBOARD_VIEW, unit_field="org_unit")


def attachment_for(*, user: User, case: Case, pk: int) -> Attachment:
    return one_within(Attachment.objects.filter(case=case), user=user, pk=pk)


# --- delegations ---------------------------------------------------------------------
def delegation_candidates(*, user: User) -> QuerySet[User]:
    """Whom `user` may delegate to: active colleagues holding one of their roles of
    work in the same unit (`workflow.shared_roles`; the service asks again)."""
    from tongban.accounts.models import Membership
    from tongban.accounts.roles import Role

    roles = STAFF_ROLES - {Role.AUXILIARY}
    mine = Membership.objects.filter(user=user, role__in=roles).values_list("role", "org_unit_id")
    q = Q(pk__in=[])
    for role, unit_id in mine:
        q |= Q(role=role, org_unit_id=unit_id)
    colleagues = Membership.objects.filter(q).exclude(user=user).values("user_id")
    return User.objects.filter(pk__in=colleagues, is_active=True).order_by("username")


def delegations_of(*, user: User) -> QuerySet[Delegation]:
    """The delegations `user` gave or received, newest first."""
    return Delegation.objects.filter(Q(delegator=user) | Q(delegate=user)).select_related(
        "delegator", "delegate", "revoked_by")


def managed_delegations(*, user: User) -> QuerySet[Delegation]:
    """For admins (role.grant): the delegations whose delegator works in a unit they
    reach; none for anyone else."""
    from tongban.accounts.access import scope as scoped
    from tongban.accounts.models import Membership

    if scope_of(user, Action.ROLE_GRANT).nothing:
        return Delegation.objects.none()
    staff = scoped(Membership.objects.filter(role__in=STAFF_ROLES), user, Action.ROLE_GRANT, unit_field="org_unit")
    return Delegation.objects.filter(delegator__in=staff.values("user_id")).select_related(
        "delegator", "delegate", "revoked_by")


def delegation_for(*, user: User, pk: int) -> Delegation:
    """A delegation `user` gave, received or manages; 404 otherwise."""
    delegation = (delegations_of(user=user).filter(pk=pk).first()
                  or managed_delegations(user=user).filter(pk=pk).first())
    if delegation is None:
        raise refused(user, Delegation, pk)
    return delegation
