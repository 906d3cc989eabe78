"""The window's loan pages (lend, take back, the lists, export) and the borrower's own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.audit.services import record_export
from tongban.booking import selectors as booking_selectors
from tongban.lib import excel
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error
from tongban.loans import selectors, services
from tongban.loans.forms import BIGGEST_ID, LendForm, ReturnForm


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
    status = 200
    if request.method == "POST":
        form = LendForm(request.POST, user=request.user)
        status = _lend(request, form)
        if status is None:
            return redirect(f"{request.path}?tab=out")
    else:
        form = LendForm(initial={"booking": request.GET.get("booking", "")}, user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for loan in page:
        loan.late = selectors.days_overdue(loan)
    return render(request, "loans/index.html", {
        "page": page, "tab": tab, "tabs": selectors.TABS.items(), "q": query, "form": form,
        "booking": _booking_shown(request, form), "policies": selectors.policies(user=request.user),
    }, status=status)


def _booking_shown(request, form: LendForm):
    """The booking the form lends against, for the page to name the borrower (one the
    viewer's window reaches), or None."""
    value = form.data.get("booking") if form.is_bound else form.initial.get("booking")
    if not str(value or "").isdigit() or int(value) > BIGGEST_ID:
        return None
    try:
        return booking_selectors.staff_booking(user=request.user, pk=int(value))
    except Http404:
        return None


def _lend(request, form: LendForm) -> int | None:
    """Lend from the posted form: None when lent, else the page's status (the errors
    are on the form, beside their fields)."""
    if not form.is_valid():
        return 422
    try:
        booking = booking_selectors.staff_booking(user=request.user, pk=form.cleaned_data["booking"])
    except Http404:
        form.add_error("booking", _("No such booking (or not within your reach)"))
        return 422
    try:
        loan = services.lend(actor=request.user, booking=booking, policy=form.cleaned_data["policy"],
                             purpose=form.cleaned_data["purpose"], item=form.cleaned_data["item"])
    except ApplicationError as exc:
        add_service_error(form, exc)
        return exc.status
    messages.success(request, _("Lent to %(name)s, due %(due)s.") % {"name": loan.person.name, "due": loan.due_date})
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
        messages.success(request, _("%(name)s has returned it.") % {"name": loan.person.name})
    back = ReturnForm(request.POST).back_to(request)
    return redirect(back or "loans:index")


HEADERS = [
    gettext_lazy("Name"),
    gettext_lazy("Student/staff number"),
    gettext_lazy("College/unit"),
    gettext_lazy("Item"),
    gettext_lazy("Purpose"),
    gettext_lazy("Lent at"),
    gettext_lazy("Lent by"),
    gettext_lazy("Due date"),
    gettext_lazy("Days overdue"),
    gettext_lazy("Returned at"),
    gettext_lazy("Received by"),
]


def _xlsx(request, qs, tab: str) -> HttpResponse:
    written = excel.workbook(title=selectors.TABS[tab], header=HEADERS, rows=(
        [loan.person.name, loan.person.student_number, loan.person.org_unit.name, loan.item, loan.purpose,
         loan.lent_at, loan.lent_by, loan.due_date, selectors.days_overdue(loan), loan.returned_at,
         loan.received_by or ""]
        for loan in qs.iterator(chunk_size=1000)))
    record_export(actor=request.user, filters={"report": "loans", "tab": tab, "rows": written.rows})
    return excel.download(written.content, f"loans-{tab}.xlsx")


@login_required
def mine(request):
    return render(request, "loans/mine.html", {"loans": selectors.own_loans(user=request.user)})
