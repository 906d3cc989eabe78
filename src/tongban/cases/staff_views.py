"""Staff pages: the unified to-do list, case search, a case with the actions its
viewer may take, acceptance, deciding a step, delegating one's work."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.cases import panels, selectors, services
from tongban.cases.forms import AcceptanceForm, DelegationForm, WorkForm
from tongban.cases.models import Status, WorkItem
from tongban.cases.views import _file_response
from tongban.catalog.forms_runtime import answer_rows
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error
from tongban.notify import todos

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


TABS = [("mine", gettext_lazy("My to-dos")), ("unit", gettext_lazy("My unit's to-dos")),
        ("overdue", gettext_lazy("Overdue")), ("done", pgettext_lazy("to-do tab", "Done")),
        ("accept", gettext_lazy("Awaiting acceptance")), ("supervise", gettext_lazy("Supervision: overdue steps"))]


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
    others = todos.for_user(request.user, exclude={"cases"}) if tab == "mine" else []
    return render(request, "cases/todo.html", {"page": page, "tab": tab, "tabs": tabs, "others": others,
                                               "today": timezone.localdate(),
                                               "can_manage_delegations": can(request.user, Action.ROLE_GRANT)})


@staff_required
def case_list(request):
    query, status = request.GET.get("q", ""), request.GET.get("status", "")
    rows = selectors.staff_cases(user=request.user, query=query, status=status)
    page = CappedPaginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "cases/staff_cases.html", {"page": page, "q": query, "status": status,
                                                      "statuses": Status.choices})


@staff_required
def case_detail(request, pk: int):
    return _case_page(request, selectors.staff_case(user=request.user, pk=pk))


def _case_page(request, case, *, acceptance_form: AcceptanceForm | None = None, work_form: WorkForm | None = None,
               work_pk: int | None = None, status: int = 200):
    """A case with the acts its viewer may take; a form sent back bound (the acceptance,
    or the work item `work_pk`'s) shows its errors at its fields with what was typed."""
    items = list(case.work_items.select_related("org_unit", "assignee", "decided_by"))
    for item in items:
        # the buttons by the acts' own rules: claiming an unclaimed item one may work
        # on; deciding as `decide` would take it
        item.case = case
        if item.state == WorkItem.State.OPEN:
            item.may_decide = services.decision_refusal(request.user, item) is None
            item.may_claim = not item.assignee_id and services.claim_refusal(request.user, item) is None
        else:
            item.may_decide = item.may_claim = False
        item.mine = item.may_decide or item.may_claim
        item.form = work_form if item.pk == work_pk else _work_form(item)
    can_accept = services.acceptance_refusal(request.user, case) is None
    # a refusal of a form the page no longer offers (the item claimed by another, the
    # case accepted meanwhile) is said above the case instead
    unshown = [*(acceptance_form.errors.values() if acceptance_form and not can_accept else ()),
               *(work_form.errors.values() if work_form and not any(i.mine for i in items if i.pk == work_pk)
                 else ())]
    return render(request, "cases/staff_case.html", {
        "case": case, "items": items, "materials": selectors.case_materials(case), "events": case.events.all(),
        "panels": panels.for_staff_case(request, case),  # other apps' sections (the capture list)
        "answer_rows": answer_rows(case.config, case.answers),
        # whose record the identity answers come from, beside the case (masked)
        "identity": services.identity_person(case),
        "identity_rows": answer_rows(case.config, {k: case.answers[k] for k in services.identity_keys(case)
                                                   if k in case.answers}),
        "can_accept": can_accept, "unshown_errors": [str(e) for errors in unshown for e in errors],
        "acceptance_form": acceptance_form or AcceptanceForm(materials=case.config["materials"]),
        "non_core": [m for m in case.config["materials"] if not m["core"]],
        "outcomes": WorkItem.Outcome.choices}, status=status)


def _work_form(item, data=None) -> WorkForm:
    # one form per work item on the page: its own ids, the same field names
    return WorkForm(data, outcomes=WorkItem.Outcome.choices, auto_id=f"work-{item.pk}-%s")


@staff_required
def download(request, pk: int, file_pk: int):
    case = selectors.staff_case(user=request.user, pk=pk)
    return _file_response(selectors.attachment_for(user=request.user, case=case, pk=file_pk))


@staff_required
@require_POST
def acceptance(request, pk: int):
    """Accept (with deficiencies), refuse or return; bad or refused, the case's page
    again with the message at its field and what was typed."""
    case = selectors.staff_case(user=request.user, pk=pk)
    form = AcceptanceForm(request.POST, materials=case.config["materials"])
    if form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == "accept":
                services.accept(actor=request.user, case=case, deficient=form.cleaned_data["deficient"],
                                comment=reason)
                messages.success(request, _("Accepted."))
            elif decision == "refuse":
                services.refuse(actor=request.user, case=case, reason=reason)
                messages.success(request, _("Refused to accept."))
            else:
                services.return_at_acceptance(actor=request.user, case=case, reason=reason)
                messages.success(request, _("Returned for correction."))
            return redirect("cases:staff-detail", pk=pk)
        except ApplicationError as exc:
            add_service_error(form, exc)
    case.refresh_from_db()
    return _case_page(request, case, acceptance_form=form, status=400)


@staff_required
@require_POST
def work(request, pk: int):
    """Claim or decide one work item; bad or refused, the case's page again with the
    message at the item's field and what was typed."""
    item = selectors.staff_work_item(user=request.user, pk=pk)
    form = _work_form(item, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["claim"]:
                services.claim(actor=request.user, item=item)
                messages.success(request, _("Claimed."))
            else:
                services.decide(actor=request.user, item=item, outcome=data["outcome"], comment=data["comment"],
                                sign=data["sign"])
                messages.success(request, _("Handled."))
            return redirect("cases:staff-detail", pk=item.case_id)
        except ApplicationError as exc:
            add_service_error(form, exc)
    return _case_page(request, selectors.staff_case(user=request.user, pk=item.case_id), work_form=form,
                      work_pk=item.pk, status=400)


@staff_required
def delegate(request):
    """One's delegations (given and received, each revocable by its delegator at once)
    and the form to hand one's work to a colleague."""
    form = DelegationForm(request.POST or None, candidates=selectors.delegation_candidates(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.delegate_work(actor=request.user, to=data["to"], start=data["start"], end=data["end"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(to)s will act for you from %(start)s to %(end)s.")
                             % {"to": data["to"], "start": data["start"], "end": data["end"]})
            return redirect("cases:delegate")
    return render(request, "cases/delegate.html", {
        "form": form, "max_days": services.MAX_DELEGATION_DAYS,
        "delegations": _shown(request.user, selectors.delegations_of(user=request.user)[:50])})


def _shown(user, delegations):
    """Each delegation with its state today and whether `user` may revoke it, by the
    rule `revoke_delegation` applies."""
    today = timezone.localdate()
    rows = list(delegations)
    for d in rows:
        d.state = d.state_on(today)
        d.revocable = services.revoke_refusal(user, d) is None
    return rows


@staff_required
def delegations(request):
    """For admins: the delegations of the units they grant roles in, revocable."""
    if not can(request.user, Action.ROLE_GRANT):
        raise Http404
    page = CappedPaginator(selectors.managed_delegations(user=request.user), 30).get_page(request.GET.get("page"))
    page.object_list = _shown(request.user, page.object_list)
    return render(request, "cases/delegations.html", {"page": page})


@staff_required
@require_POST
def revoke_delegation(request, pk: int):
    delegation = selectors.delegation_for(user=request.user, pk=pk)
    try:
        services.revoke_delegation(actor=request.user, delegation=delegation)
        messages.success(request, _("The delegation to %(delegate)s is revoked, with effect at once.")
                         % {"delegate": delegation.delegate})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if delegation.delegator_id == request.user.pk:
        return redirect("cases:delegate")
    return redirect("cases:delegations")
