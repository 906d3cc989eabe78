"""Staff pages: the unified to-do list, case search, a case with the actions its
viewer may take, acceptance, deciding a step, delegating one's work."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.accounts.models import User
from tongban.accounts.roles import STAFF_ROLES, Action
from tongban.cases import selectors, services, workflow
from tongban.cases.forms_runtime import answer_rows
from tongban.cases.models import Status, WorkItem
from tongban.cases.views import _file_response
from tongban.lib.errors import ApplicationError

COUNT_CAP = 1_000


class _AtLeast(int):
    """A number of pages the pager shows as "34+": more rows match than were counted."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CappedPaginator(Paginator):
    """Counts no more than COUNT_CAP + 1 rows (of a queryset). Counting all the cases a city officer
    reaches (a million at three million cases) took seconds of every page
    (bench/cases_scale.py), and nobody pages past the thousandth row: they narrow the
    search. Past the cap the pager says so: "第 1 / 34+ 页"."""

    @cached_property
    def count(self) -> int:
        # unordered: any COUNT_CAP + 1 rows will do, so any index may find them (a name's
        # first characters, say, rather than the newest cases)
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @cached_property
    def num_pages(self) -> int:
        pages = super().num_pages
        return _AtLeast(pages) if self.count > COUNT_CAP else pages


TABS = [("mine", "我的待办"), ("unit", "本单位待办"), ("overdue", "已超期"), ("done", "已办"), ("accept", "待受理"),
        ("supervise", "督办：超期环节")]


@staff_required
def todo(request):
    tabs = [t for t in TABS if t[0] != "supervise" or can(request.user, Action.DASHBOARD_VIEW)]
    tab = request.GET.get("tab", "mine")
    if tab not in dict(tabs):
        tab = "mine"
    if tab == "accept":
        rows = selectors.acceptance_queue(user=request.user)
    else:
        rows = selectors.todo(user=request.user, tab=tab)
    page = CappedPaginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "cases/todo.html", {"page": page, "tab": tab, "tabs": tabs,
                                               "today": timezone.localdate()})


@staff_required
def case_list(request):
    query, status = request.GET.get("q", ""), request.GET.get("status", "")
    rows = selectors.staff_cases(user=request.user, query=query, status=status)
    page = CappedPaginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "cases/staff_cases.html", {"page": page, "q": query, "status": status,
                                                      "statuses": Status.choices})


@staff_required
def case_detail(request, pk: int):
    case = selectors.staff_case(user=request.user, pk=pk)
    workable = set(workflow.workable_by(request.user).filter(case=case).values_list("pk", flat=True))
    items = list(case.work_items.select_related("org_unit", "assignee", "decided_by"))
    for item in items:
        item.mine = item.pk in workable and case.applicant_id != request.user.pk
    return render(request, "cases/staff_case.html", {
        "case": case, "items": items, "materials": selectors.case_materials(case), "events": case.events.all(),
        "answer_rows": answer_rows(case.config, case.answers),
        "can_accept": case.status == Status.SUBMITTED and can(request.user, Action.CASE_ACCEPT, unit=case.org_unit)
        and case.applicant_id != request.user.pk,
        "non_core": [m for m in case.config["materials"] if not m["core"]],
        "outcomes": WorkItem.Outcome.choices})


@staff_required
def download(request, pk: int, file_pk: int):
    case = selectors.staff_case(user=request.user, pk=pk)
    return _file_response(selectors.attachment_for(user=request.user, case=case, pk=file_pk))


@staff_required
@require_POST
def acceptance(request, pk: int):
    case = selectors.staff_case(user=request.user, pk=pk)
    decision, reason = request.POST.get("decision"), request.POST.get("reason", "")
    try:
        if decision == "accept":
            services.accept(actor=request.user, case=case, deficient=request.POST.getlist("deficient"),
                            comment=reason)
            messages.success(request, "已受理。")
        elif decision == "refuse":
            services.refuse(actor=request.user, case=case, reason=reason)
            messages.success(request, "已不予受理。")
        elif decision == "return":
            services.return_at_acceptance(actor=request.user, case=case, reason=reason)
            messages.success(request, "已退回补正。")
        else:
            raise ApplicationError("bad_decision", "请选择受理结果", field="decision")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cases:staff-detail", pk=pk)


@staff_required
@require_POST
def work(request, pk: int):
    item = selectors.staff_work_item(user=request.user, pk=pk)
    try:
        if request.POST.get("claim"):
            services.claim(actor=request.user, item=item)
            messages.success(request, "已认领。")
        else:
            services.decide(actor=request.user, item=item, outcome=request.POST.get("outcome", ""),
                            comment=request.POST.get("comment", ""), sign=bool(request.POST.get("sign")))
            messages.success(request, "已办理。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cases:staff-detail", pk=item.case_id)


@staff_required
def delegate(request):
    units = request.user.memberships.filter(role__in=STAFF_ROLES).values("org_unit")
    colleagues = User.objects.filter(memberships__org_unit__in=units, memberships__role__in=STAFF_ROLES,
                                     is_active=True).exclude(pk=request.user.pk).distinct()
    if request.method == "POST":
        try:
            raw_to = request.POST.get("to", "")
            to = colleagues.filter(pk=int(raw_to)).first() if raw_to.isdigit() else None
            if to is None:
                raise ApplicationError("not_colleague", "请选择本单位同事", field="to")
            try:
                start = dt.date.fromisoformat(request.POST.get("start", ""))
                end = dt.date.fromisoformat(request.POST.get("end", ""))
            except ValueError:
                raise ApplicationError("bad_date", "请填写开始和结束日期", field="start") from None
            services.delegate_work(actor=request.user, to=to, start=start, end=end)
            messages.success(request, f"已委托 {to} 在 {start} 至 {end} 代办。")
            return redirect("cases:todo")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(request, "cases/delegate.html", {"colleagues": colleagues})


