"""The window's loan pages (lend, take back, the lists, export) and the borrower's own."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongban.accounts.access import can, scope
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.audit.services import record_export
from tongban.lib.errors import ApplicationError
from tongban.loans import selectors, services
from tongban.people.models import Person


@staff_required
def index(request):
    if not can(request.user, Action.LOAN_MANAGE):
        raise PermissionDenied
    tab = request.GET.get("tab", "out")
    tab = tab if tab in selectors.TABS else "out"
    query = request.GET.get("q", "").strip()[:50]
    qs = selectors.loans(user=request.user, tab=tab, query=query)
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, qs, tab)
    error = None
    if request.method == "POST":
        error = _lend(request)
        if error is None:
            return redirect(f"{request.path}?tab=out")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for loan in page:
        loan.late = selectors.days_overdue(loan)
    return render(request, "loans/index.html", {
        "page": page, "tab": tab, "tabs": selectors.TABS.items(), "q": query, "error": error,
        "policies": selectors.policies(user=request.user),
        "booking": _booking_ref(request.POST or request.GET),
        "student_number": (request.POST or request.GET).get("student_number", "")[:32],
    }, status=error.status if error else 200)


def _booking_ref(data) -> str:
    value = str(data.get("booking", ""))
    return value if value.isdigit() else ""


def _lend(request) -> ApplicationError | None:
    number = request.POST.get("student_number", "").strip()
    person = (scope(Person.objects.all(), request.user, Action.PEOPLE_VIEW).filter(student_number=number).first()
              if number else None)
    policy = selectors.policies(user=request.user).filter(pk=request.POST.get("policy") or 0).first() \
        if str(request.POST.get("policy", "")).isdigit() else None
    try:
        if person is None:
            raise ApplicationError("person_not_found", "找不到该学号/工号的人员", field="student_number")
        if policy is None:
            raise ApplicationError("policy_required", "请选择借用物品", field="policy")
        booking = _booking_ref(request.POST)
        loan = services.lend(actor=request.user, person=person, policy=policy, purpose=request.POST.get("purpose", ""),
                             item=request.POST.get("item", ""), booking_ref=f"booking:{booking}" if booking else "")
    except ApplicationError as exc:
        return exc
    messages.success(request, f"已借出给 {person.name}，应还日期 {loan.due_date}。")
    return None


@staff_required
@require_POST
def take_back(request, pk: int):
    loan = selectors.loan_for(user=request.user, pk=pk)
    try:
        services.take_back(actor=request.user, loan=loan)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{loan.person.name} 已归还。")
    return redirect(request.POST.get("back") or "loans:index")


HEADERS = ["姓名", "学号/工号", "学院/单位", "物品", "用途", "借出时间", "经办人", "应还日期", "逾期天数", "归还时间",
           "接收人"]


def _xlsx(request, qs, tab: str) -> HttpResponse:
    from django.utils import timezone
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(selectors.TABS[tab])
    sheet.append(HEADERS)
    rows = 0
    for loan in qs.iterator(chunk_size=1000):
        rows += 1
        sheet.append([loan.person.name, loan.person.student_number, loan.person.org_unit.name, loan.item,
                      loan.purpose, timezone.localtime(loan.lent_at).replace(tzinfo=None), str(loan.lent_by),
                      loan.due_date, selectors.days_overdue(loan),
                      timezone.localtime(loan.returned_at).replace(tzinfo=None) if loan.returned_at else None,
                      str(loan.received_by or "")])
    out = io.BytesIO()
    book.save(out)
    record_export(actor=request.user, filters={"report": "loans", "tab": tab, "rows": rows})
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''loans-{tab}.xlsx"
    return response


@login_required
def mine(request):
    return render(request, "loans/mine.html", {"loans": selectors.own_loans(user=request.user)})
