"""Reading cases: an applicant sees their own; staff see the cases of the units their
roles reach and the ones their work items are on; to-do lists per viewer."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tongban.accounts.access import scope, scope_of
from tongban.accounts.models import User
from tongban.accounts.roles import STAFF_ROLES, Action
from tongban.cases import workflow
from tongban.cases.models import Attachment, Case, Status, WorkItem
from tongban.catalog.models import ServiceItem

STAFF_ACTIONS = (Action.CASE_ACCEPT, Action.CASE_APPROVE, Action.CASE_PREPARE)


def published_items(*, query: str = "", category: str = "") -> QuerySet[ServiceItem]:
    qs = ServiceItem.objects.filter(is_published=True, current_version__isnull=False).select_related(
        "org_unit", "current_version")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(category__icontains=query) | Q(code__icontains=query))
    if category:
        qs = qs.filter(category=category)
    return qs


def published_item(*, code: str) -> ServiceItem:
    item = published_items().filter(code=code).select_related("current_version").first()
    if item is None:
        raise Http404
    return item


def own_cases(*, user: User) -> QuerySet[Case]:
    return Case.objects.filter(applicant=user).select_related("item") if user.is_authenticated else Case.objects.none()


def own_case(*, user: User, pk: int) -> Case:
    case = own_cases(user=user).select_related("version").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _staff_filter(user: User) -> Q:
    q = Q(pk__in=[])
    for action in STAFF_ACTIONS:
        s = scope_of(user, action)
        if s.everything:
            return Q()
        for path in s.subtree_paths:
            q |= Q(org_unit__path__startswith=path) | Q(applicant_unit__path__startswith=path)
        if s.unit_ids:
            q |= Q(org_unit_id__in=s.unit_ids) | Q(applicant_unit_id__in=s.unit_ids)
    mine = WorkItem.objects.filter(Q(decided_by=user) | Q(assignee=user)).values("case_id")
    workable = workflow.workable_by(user).values("case_id")
    return q | Q(pk__in=mine) | Q(pk__in=workable)


def staff_cases(*, user: User, query: str = "", status: str = "") -> QuerySet[Case]:
    """Cases a staff member may see, searched by serial, applicant name or status."""
    qs = Case.objects.exclude(status=Status.DRAFT).filter(_staff_filter(user)).select_related("item")
    query = query.strip()
    if query:
        qs = qs.filter(serial=query.upper()) if "-" in query else qs.filter(applicant_name__startswith=query)
    if status:
        qs = qs.filter(status=status)
    return qs


def staff_case(*, user: User, pk: int) -> Case:
    case = staff_cases(user=user).select_related("version", "org_unit", "applicant_unit").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


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
    mine = base.filter(pk__in=workflow.workable_by(user).values("pk")).exclude(case__applicant=user)
    if tab == "overdue":
        return mine.filter(due_date__lt=timezone.localdate())
    return mine


def late_work(*, user: User) -> QuerySet[WorkItem]:
    """For supervisors: open work past its deadline anywhere in the units they oversee."""
    qs = WorkItem.objects.filter(state=WorkItem.State.OPEN, due_date__lt=timezone.localdate()).select_related(
        "case", "case__item", "org_unit", "assignee").order_by("due_date", "id")
    return scope(qs, user, Action.DASHBOARD_VIEW, unit_field="org_unit")


def attachment_for(*, user: User, case: Case, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(case=case, pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment
