"""Pages of campaigns: the recipient's (their to-dos, the form on the phone) and the
staff's (the list, making and cloning, the audience list, sending, the live counts with
drill-down, reminding, approving, Excel out). Reads through selectors, writes through
services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.campaigns import selectors, services
from tongban.campaigns.forms import CampaignForm, CohortForm, ListForm, PeopleFilter, TimesForm
from tongban.campaigns.models import Assignment, Campaign
from tongban.cases.forms import posted_answers
from tongban.catalog.forms import application_form
from tongban.catalog.forms_runtime import IDENTITY, answer_rows, identity, prefill
from tongban.lib import excel
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error
from tongban.people.jobs import JobProgress

# --- the recipient's pages -------------------------------------------------------------


@login_required
def mine(request):
    return render(request, "campaigns/mine.html", {
        "assignments": selectors.my_assignments(user=request.user)[:100], "now": timezone.now()})


@login_required
def fill(request, pk: int):
    assignment = selectors.own_assignment(user=request.user, pk=pk)
    services.mark_opened(actor=request.user, assignment=assignment)
    campaign = assignment.campaign
    config = campaign.version.config
    answer = getattr(assignment, "answer", None)
    locked = {f["key"] for f in config["fields"] if f["prefill"] in IDENTITY}
    initial = {**prefill(config, assignment.person), **(answer.answers if answer else {})}
    data = request.POST if request.method == "POST" else None
    posted = posted_answers(data, config) if data is not None else {}
    form = application_form(config, {**initial, **posted}, data,
                            locked=identity(config, assignment.person).keys() & locked)
    refusal = services.fill_refusal(assignment)
    status = 200
    if request.method == "POST":
        status = 422
        form.is_valid()
        try:
            services.fill(actor=request.user, assignment_id=assignment.pk, answers=posted)
        except ApplicationError as exc:
            add_service_error(form, exc)
            status = exc.status
        else:
            messages.success(request, _("Saved. You can correct it until the close."))
            return redirect("campaigns:fill", pk=assignment.pk)
    return render(request, "campaigns/fill.html", {
        "assignment": assignment, "campaign": campaign, "form": form, "answer": answer, "refusal": refusal,
        "rows": answer_rows(config, answer.answers) if answer else []}, status=status)


# --- the staff's pages -----------------------------------------------------------------

def _need(request, action: str) -> None:
    if not can(request.user, action):
        raise PermissionDenied


@staff_required
def campaign_list(request):
    _need(request, Action.CAMPAIGN_VIEW)
    page = Paginator(selectors.campaigns(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "campaigns/list.html", {
        "page": page, "can_manage": can(request.user, Action.CAMPAIGN_MANAGE)})


@staff_required
def new(request):
    _need(request, Action.CAMPAIGN_MANAGE)
    form = CampaignForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.create_campaign(
                    actor=request.user, name=data["name"], item=data["item"], opens_at=data["opens_at"],
                    closes_at=data["closes_at"], rule=form.rule(), needs_approval=data["needs_approval"],
                    instructions=data["instructions"], cohort=data["cohort"], uses_list=data["uses_list"],
                    remind_hours_before=data["remind_hours_before"], remind_every_days=data["remind_every_days"])
            except ApplicationError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/new.html", {"form": form}, status=status)


def progress_of(campaign: Campaign) -> JobProgress:
    return JobProgress(campaign.state, campaign.get_state_display(), campaign.dispatched, campaign.total,
                       reverse("campaigns:counts", args=[campaign.pk]))


def _detail_context(request, campaign: Campaign) -> dict:
    counts = selectors.counts(user=request.user, campaign=campaign)
    draft = campaign.state == Campaign.State.DRAFT
    may_manage = can(request.user, Action.CAMPAIGN_MANAGE, unit=campaign.org_unit)
    context = {"campaign": campaign, "counts": counts, "progress": progress_of(campaign),
               "may_manage": may_manage, "may_remind": can(request.user, Action.CAMPAIGN_MANAGE),
               "reminders": campaign.reminders.select_related("by")[:10], "now": timezone.now()}
    if draft and may_manage:
        audience = services.recipients(campaign).count()
        refusal = services.start_refusal(campaign, audience)
        context.update(audience=audience, start_refusal=refusal,
                       unmatched=campaign.list_rows.filter(person__isnull=True)[:500],
                       list_rows=campaign.list_rows.count(), list_form=ListForm())
    return context


@staff_required
def detail(request, pk: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    return render(request, "campaigns/detail.html", _detail_context(request, campaign))


@staff_required
def counts(request, pk: int):
    """The live counts (and, while sending, the progress), polled by htmx."""
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    return render(request, "campaigns/_counts.html", _detail_context(request, campaign))


@staff_required
@require_POST
def upload(request, pk: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    form = ListForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            entries = services.upload_list(actor=request.user, campaign=campaign, name=upload.name or "",
                                           content=upload.read())
        except ApplicationError as exc:
            add_service_error(form, exc)
            status = exc.status
        else:
            bad = sum(1 for e in entries if e.person_id is None)
            messages.info(request, _("%(ok)s rows matched, %(bad)s did not.") % {
                "ok": len(entries) - bad, "bad": bad})
            return redirect("campaigns:detail", pk=pk)
    context = _detail_context(request, campaign)
    context["list_form"] = form
    return render(request, "campaigns/detail.html", context, status=status)


def _act(request, pk: int, act, done: str = ""):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    try:
        said = act(campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, said if isinstance(said, str) else done)
    return redirect("campaigns:detail", pk=pk)


@staff_required
@require_POST
def confirm(request, pk: int):
    return _act(request, pk, lambda c: services.confirm_list(actor=request.user, campaign=c),
                _("Confirmed: the rows that matched nobody are left out."))


@staff_required
@require_POST
def start(request, pk: int):
    return _act(request, pk, lambda c: services.start_dispatch(actor=request.user, campaign=c),
                _("Sending: the counts below move as it goes."))


@staff_required
@require_POST
def remind(request, pk: int):
    def act(campaign) -> str:
        reminder = services.remind_unfilled(actor=request.user, campaign=campaign)
        return _("Reminded %(count)s people who have not filled.") % {"count": reminder.count}

    return _act(request, pk, act)


@staff_required
def clone(request, pk: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    _need(request, Action.CAMPAIGN_MANAGE)
    form = TimesForm(request.POST or None, initial={"name": campaign.name})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                copy = services.clone_campaign(actor=request.user, campaign=campaign, **form.cleaned_data)
            except ApplicationError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Cloned with its audience: check it and send it."))
                return redirect("campaigns:detail", pk=copy.pk)
    return render(request, "campaigns/clone.html", {"campaign": campaign, "form": form}, status=status)


@staff_required
def cohort(request, pk: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    _need(request, Action.CAMPAIGN_MANAGE)
    form = CohortForm(request.POST or None, initial={"name": campaign.name})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.save_cohort(actor=request.user, campaign=campaign, name=form.cleaned_data["name"])
            except ApplicationError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Cohort saved: choose it when making the next campaign."))
                return redirect("campaigns:detail", pk=pk)
    return render(request, "campaigns/cohort.html", {"campaign": campaign, "form": form}, status=status)


TABS = [("sent", _lazy("Sent")), ("opened", _lazy("Opened")), ("not_filled", pgettext_lazy("campaign", "Not filled")),
        ("filled", pgettext_lazy("campaign", "Filled")), ("awaiting_approval", _lazy("Awaiting approval")),
        ("approved", pgettext_lazy("campaign", "Approved")), ("overdue", _lazy("Overdue"))]


@staff_required
def people(request, pk: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    which_form = PeopleFilter(request.GET)
    which = which_form.cleaned_data["which"] if which_form.is_valid() else ""
    qs = selectors.people(user=request.user, campaign=campaign, which=which or "sent")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "campaigns/people.html", {
        "campaign": campaign, "page": page, "which": which or "sent", "tabs": TABS,
        "may_approve": campaign.needs_approval and can(request.user, Action.CAMPAIGN_APPROVE), "now": timezone.now()})


@staff_required
@require_POST
def approve(request, pk: int, assignment: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    found = selectors.assignment_for(user=request.user, campaign=campaign, pk=assignment)
    try:
        services.approve(actor=request.user, assignment=found)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Approved."))
    return redirect(f"{reverse('campaigns:people', args=[pk])}?which=awaiting_approval")


def _export(request, campaign: Campaign, which: str, title: str, header: list, row_of) -> object:
    _need(request, Action.CAMPAIGN_VIEW)
    qs = selectors.people(user=request.user, campaign=campaign, which=which)
    written = excel.workbook(title=title, header=header, rows=(row_of(a) for a in qs.iterator(chunk_size=1000)))
    record(actor=request.user, action="campaigns.export", obj=campaign,
           summary=_("Exported %(what)s of %(name)s: %(rows)s rows") % {
               "what": title, "name": campaign.name, "rows": written.rows},
           details={"which": which, "rows": written.rows})
    return excel.download(written.content, f"{campaign.name}-{title}.xlsx")


BASE_HEADER = [_lazy("College/unit"), _lazy("Name"), _lazy("Student/staff number")]


@staff_required
def answers_xlsx(request, pk: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    fields = [f for f in campaign.version.config["fields"] if f["type"] != "file"]

    def row_of(a: Assignment):
        answer = getattr(a, "answer", None)
        values = answer.answers if answer else {}
        return [a.org_unit.name, a.person.name, a.person.student_number, a.get_state_display(),
                answer.updated_at if answer else None, *[values.get(f["key"], "") for f in fields]]

    return _export(request, campaign, "filled", _("Answers"),
                   [*BASE_HEADER, _("Status"), _("Filled at"), *[f["label"] for f in fields]], row_of)


@staff_required
def unfilled_xlsx(request, pk: int):
    campaign = selectors.campaign_for(user=request.user, pk=pk)

    def row_of(a: Assignment):
        return [a.org_unit.name, a.person.name, a.person.student_number, a.person.phone_masked,
                _("Yes") if a.opened_at else _("No"), a.last_reminded_at]

    return _export(request, campaign, "not_filled", _("Not filled"),
                   [*BASE_HEADER, _("Mobile phone"), _("Opened"), _("Last reminded at")], row_of)
