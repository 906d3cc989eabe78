"""Staff pages. Each view reads through a selector and writes through a service; what a
viewer may do is decided there, not in the templates."""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from tongban.accounts.access import can, memberships_of, scope
from tongban.accounts.decorators import staff_required
from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Action
from tongban.accounts.trail import trail
from tongban.audit.services import record_export
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.lib.forms import add_service_error
from tongban.people import selectors as people_selectors
from tongban.people.jobs import import_progress, start_import
from tongban.people.models import Category
from tongban.people.reading import template_xlsx
from tongban.people.services import UNMASKABLE, unmask
from tongban.workbench.forms import ImportForm, PeopleSearchForm, UnmaskForm


@staff_required
def home(request):
    user = request.user
    return render(request, "workbench/home.html", {
        "memberships": memberships_of(user),
        "can_people": can(user, Action.PEOPLE_VIEW),
        "can_import": can(user, Action.PEOPLE_IMPORT),
        "can_audit": can(user, Action.AUDIT_VIEW),
        "can_restrict": can(user, Action.RESTRICTION_MANAGE),
        "can_lend": can(user, Action.LOAN_MANAGE),
        "can_desk": can(user, Action.BOOKING_DESK),
        "can_catalog": can(user, Action.CATALOG_MANAGE),
        "can_interop": can(user, Action.INTEROP_MANAGE),
        "can_campaigns": can(user, Action.CAMPAIGN_VIEW),
    })


@staff_required
def people_list(request):
    user = request.user
    if not can(user, Action.PEOPLE_VIEW):
        raise PermissionDenied
    # The search form posts, so a whole ID number never lands in a URL (access logs,
    # history, Referer). Other searches are redirected to GET, so they page and bookmark.
    search = PeopleSearchForm(request.POST if request.method == "POST" else request.GET)
    search.is_valid()  # never refused: a bad unit is no unit
    query = search.cleaned_data["q"]
    unit_id = search.cleaned_data["unit"]
    category = search.cleaned_data["category"]
    by_id = people_selectors.is_whole_id_number(query)
    if request.method == "GET" and by_id:
        # a link or a typed URL carrying a whole ID number: not searched, so such URLs
        # are of no use to anyone (the access log masks what already came)
        messages.warning(request, _("Type the ID number into the search box on the page, not into the address."))
        return redirect(request.path)
    if request.method == "POST" and not by_id:
        return redirect(f"{request.path}?{urlencode({'q': query, 'unit': unit_id or '', 'category': category})}")
    qs = people_selectors.people(user=user, query=query, org_unit_id=unit_id, category=category)
    page = Paginator(qs, 50).get_page(None if by_id else request.GET.get("page"))
    units = scope(OrgUnit.objects.filter(is_active=True), user, Action.PEOPLE_VIEW, unit_field="")
    return render(request, "workbench/people_list.html", {
        "page": page, "q": "" if by_id else query, "unit_id": unit_id, "category": category,
        "units": units.exclude(people=None).distinct(),
        "categories": Category.choices,
    })


@staff_required
def person_detail(request, pk: int):
    person = people_selectors.person_for(user=request.user, pk=pk)
    return render(request, "workbench/person_detail.html", {
        "person": person,
        "can_unmask": can(request.user, Action.PEOPLE_UNMASK, unit=person.org_unit),
        "unmaskable": UNMASKABLE, "form": UnmaskForm(),
    })


@staff_required
@require_POST
def person_unmask(request, pk: int):
    person = people_selectors.person_for(user=request.user, pk=pk)
    if not can(request.user, Action.PEOPLE_UNMASK, unit=person.org_unit):
        # Permission first: who may not unmask is told so, not asked for a reason, and
        # not given the form to try again with.
        raise PermissionDenied
    form = UnmaskForm(request.POST)
    context = {"person": person, "form": form, "unmaskable": UNMASKABLE, "can_unmask": True}
    status = 422
    if form.is_valid():
        field = form.cleaned_data["field"]
        try:
            context["value"] = unmask(actor=request.user, person=person, field=field,
                                      reason=form.cleaned_data["reason"])
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except ApplicationError as exc:
            add_service_error(form, exc)
            status = exc.status
        else:
            context["field_label"] = UNMASKABLE[field]
            status = 200
    template = "workbench/_unmask.html" if request.htmx else "workbench/person_detail.html"
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def import_page(request):
    if not can(request.user, Action.PEOPLE_IMPORT):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        try:
            job = start_import(actor=request.user, upload=form.cleaned_data["file"],
                               dry_run=form.cleaned_data["dry_run"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("workbench:import-status", pk=job.pk)
    jobs = people_selectors.import_jobs(user=request.user)[:20]
    return render(request, "workbench/import.html", {"jobs": jobs, "form": form},
                  status=422 if form.errors else 200)


@staff_required
def import_template(request):
    response = HttpResponse(
        template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''people-template.xlsx"
    return response


def _job(request, pk: int):
    job = people_selectors.import_jobs(user=request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such import job"))
    return job


@staff_required
def import_status(request, pk: int):
    job = _job(request, pk)
    template = "workbench/_import_progress.html" if request.htmx else "workbench/import_status.html"
    progress = import_progress(job, reverse("workbench:import-status", args=[job.pk]))
    return render(request, template, {"job": job, "progress": progress})


@staff_required
def import_report(request, pk: int):
    job = _job(request, pk)
    response = HttpResponse("\ufeff" + job.report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=import-{job.pk}-report.csv"
    return response


def _trail_filters(request) -> dict:
    def day(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    actor_id = request.GET.get("actor_id", "").strip()
    return {
        "object_type": request.GET.get("object_type", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
        # One account's trail by its id; a name (what `actor` matches) can be shared.
        "actor_id": int(actor_id) if actor_id.isdigit() else None,
        "actor_name": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "since": day("since"),
        "until": day("until"),
    }


@staff_required
def audit_trail(request):
    filters = _trail_filters(request)
    try:
        entries = trail(user=request.user, **filters)
    except ApplicationError as exc:
        raise PermissionDenied(exc.message) from exc
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "workbench/audit.html", {
        "page": page, "filters": filters, "querystring": request.GET.urlencode(),
        "can_export": can(request.user, Action.AUDIT_EXPORT)})


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """Text that a spreadsheet shows as text: a cell starting with = + - @ (a person's
    name from an imported file, say) would otherwise run as a formula when the auditor
    opens the export."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_required
def audit_export(request):
    filters = _trail_filters(request)
    try:
        entries = trail(user=request.user, export=True, **filters)
    except ApplicationError as exc:
        raise PermissionDenied(exc.message) from exc
    record_export(actor=request.user, filters=filters)
    writer = csv.writer(_Echo())
    # the column headers are the reader's words, in the language of the request
    header = [_("No."), _("Time"), _("Actor"), _("Role"), _("Unit"), _("Action"), _("Object type"),
              pgettext("audit export column", "Object ID"), pgettext("audit entry", "Summary"), "IP", _("Hash")]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for e in entries.iterator(chunk_size=2000):
            yield writer.writerow([e.seq, e.created_at.isoformat()] + [_cell(v) for v in (
                e.actor_name, e.role, e.org_unit_name, e.action, e.object_type, e.object_id,
                e.summary, e.ip)] + [e.hash])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename=audit-trail.csv"
    return response
