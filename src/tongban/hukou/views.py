"""Pages of the collective household: the applicant's own (status, choose, waiver, the
printable documents) and the offices' (list with batch actions, overview, record,
correction). Reads go through selectors, writes through services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.hukou import batch, documents, selectors, services
from tongban.hukou.forms import BatchForm, CorrectionForm, WaiverForm
from tongban.hukou.models import BatchJob, Status, Waiver
from tongban.lib import excel
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error

PDF = "application/pdf"


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the applicant's pages --------------------------------------------------------------

@login_required
def mine(request):
    person = selectors.own_person(request.user)
    if person is None:
        messages.info(request, _("Please bind your own details first (ID number + student/staff number)."))
        return redirect(f"{reverse('portal:bind')}?{urlencode({'next': request.path})}")
    rec = selectors.own_record(request.user)
    offers = {}
    if rec is not None:
        wanted = {Status.AWAITING: ["hukou.move_in"], Status.IN_SCHOOL: ["hukou.store", "hukou.move_out"],
                  Status.STORED: ["hukou.move_out"]}.get(rec.status, [])
        offers = {effect: selectors.service_for(effect, person) for effect in wanted}
    storage_refused = None
    if "hukou.store" in offers:
        try:
            services.PRECONDITIONS["hukou.store"](rec)
        except ApplicationError as exc:  # explained on the page instead of an apply button
            storage_refused = exc.message
            del offers["hukou.store"]
    return render(request, "hukou/mine.html", {
        "person": person, "rec": rec, "offers": {k: v for k, v in offers.items() if v},
        "storage_refused": storage_refused,
        "waivers": Waiver.objects.filter(person=person).select_related("agreement"),
        "can_waive": rec is not None and rec.status == Status.AWAITING,
    })


@login_required
def waiver(request):
    person = selectors.own_person(request.user)
    agreement = selectors.active_agreement()
    if person is None or agreement is None:
        raise Http404
    form = WaiverForm(request.POST or None, initial={"version": agreement.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.sign_waiver(actor=request.user, version=str(form.cleaned_data["version"]),
                                     agree=form.cleaned_data["agree"])
            except ApplicationError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Not moving in is confirmed; the confirmation can be downloaded "
                                            "and printed at any time."))
                return redirect("hukou:mine")
    return render(request, "hukou/waiver.html", {"agreement": agreement, "form": form}, status=status)


@login_required
def waiver_pdf(request, pk: int):
    found = selectors.own_waiver(user=request.user, pk=pk)
    return _pdf(documents.waiver_pdf(found), f"waiver-{found.case.serial}.pdf")


@login_required
def move_out_notice(request):
    rec = selectors.own_record(request.user)
    if rec is None or rec.status != Status.MOVED_OUT:
        raise Http404
    return _pdf(documents.move_out_notice_pdf(rec), "move-out-notice.pdf")


# --- the offices' pages -----------------------------------------------------------------

def _need(request, action: str) -> None:
    if not can(request.user, action):
        raise PermissionDenied


@staff_required
def records(request):
    _need(request, Action.PEOPLE_VIEW)
    filters = selectors.Filters.from_params(request.GET)
    qs = selectors.records(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "hukou/records.html", {
        "page": page, "f": filters, "statuses": Status.choices, "colleges": selectors.colleges(user=request.user),
        "query": urlencode(filters.as_params()),
        "can_approve": can(request.user, Action.CASE_APPROVE),
        "can_export": can(request.user, Action.PEOPLE_EXPORT),
    })


@staff_required
def overview(request):
    _need(request, Action.PEOPLE_VIEW)
    rows, total = selectors.overview(user=request.user)
    if request.GET.get("format") == "xlsx":
        return _overview_xlsx(request, rows, total)
    return render(request, "hukou/overview.html", {
        "rows": rows, "total": total, "columns": [(c, selectors.COLUMN_LABELS[c]) for c in selectors.COLUMNS],
        "can_export": can(request.user, Action.PEOPLE_EXPORT),
    })


def _overview_xlsx(request, rows, total) -> HttpResponse:
    from tongban.audit.services import record_export

    _need(request, Action.PEOPLE_EXPORT)
    written = excel.workbook(
        title=_("Collective household overview"),
        header=[_("College/unit"), *[selectors.COLUMN_LABELS[c] for c in selectors.COLUMNS], _("Total")],
        rows=([row.unit.name if row.unit else _("Total"), *[row.counts[c] for c in selectors.COLUMNS], row.total]
              for row in [*rows, total]))
    record_export(actor=request.user, filters={"report": "hukou.overview"})
    return excel.download(written.content, "hukou-overview.xlsx")


@staff_required
def record_detail(request, pk: int):
    rec = selectors.record_for(user=request.user, pk=pk)
    form = CorrectionForm.for_record(rec, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.correct(actor=request.user, rec=rec, status=form.cleaned_data["status"],
                                 reason=form.cleaned_data["reason"], **form.corrections())
            except ApplicationError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Corrected and recorded on the audit trail."))
                return redirect("hukou:record", pk=pk)
    history = selectors.history(rec)
    return render(request, "hukou/record.html", {
        "rec": rec, "history": history, "form": form,
        "waivers": Waiver.objects.filter(person=rec.person).select_related("agreement", "case"),
        "can_correct": can(request.user, Action.HUKOU_REGISTER, unit=rec.person.org_unit),
    }, status=status)


@staff_required
def staff_waiver_pdf(request, pk: int):
    found = selectors.waiver_for_staff(user=request.user, pk=pk)
    return _pdf(documents.waiver_pdf(found), f"waiver-{found.case.serial}.pdf")


@staff_required
def staff_move_out_notice(request, pk: int):
    rec = selectors.record_for(user=request.user, pk=pk)
    if rec.status != Status.MOVED_OUT:
        raise Http404
    return _pdf(documents.move_out_notice_pdf(rec), f"move-out-{rec.pk}.pdf")


@staff_required
@require_POST
def start_batch(request):
    filters = selectors.Filters.from_params(request.POST)
    back = f"{reverse('hukou:records')}?{urlencode(filters.as_params())}"
    form = BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(back)
    try:
        job = batch.start_batch(actor=request.user, kind=form.cleaned_data["kind"], filters=filters,
                                selected=[int(i) for i in form.cleaned_data["selected"]])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect("hukou:job", pk=job.pk)


@staff_required
def job_status(request, pk: int):
    job = batch.job_for(user=request.user, pk=pk)
    template = "hukou/_job_progress.html" if request.htmx else "hukou/job.html"
    return render(request, template, {"job": job, "progress": batch.progress_of(job)})


@staff_required
def job_result(request, pk: int):
    job = batch.job_for(user=request.user, pk=pk)
    if job.kind != BatchJob.Kind.EXPORT or job.state != BatchJob.State.DONE or not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The exported file is gone: export again.")) from exc
    return FileResponse(handle, as_attachment=True, filename=f"hukou-{job.pk}.xlsx")

