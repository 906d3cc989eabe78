"""Applicant pages: the catalog and guides, applying (draft, upload, submit), my cases
and what I can do with them. Writes go through services; reads through selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases import applying, guards, selectors, services, uploads
from tongban.cases.forms import EditControls, UploadForm, WithdrawForm, carried_answers, posted_answers
from tongban.cases.guide_forms import ApplyForm, ServiceSearchForm
from tongban.cases.models import Status
from tongban.catalog import eligibility
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.forms import application_form
from tongban.catalog.forms_runtime import answer_rows
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error
from tongban.people.selectors import verified_relations


def service_list(request):
    """The services the visitor is among the audience of, found by the search box."""
    form = ServiceSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    items = catalog_selectors.services_for(user=request.user, query=query)
    return render(request, "cases/services.html", {"items": items, "q": query, "form": form})


def service_guide(request, code: str):
    """The guide, open to anyone, saying whom the service is for and, before any form
    opens, whether the visitor may apply and why not (no apply button then); with a
    draft begun, the button resumes it."""
    return _guide_page(request, selectors.published_item(code=code), form=ApplyForm())


def _guide_page(request, item, *, form: ApplyForm, status: int = 200):
    signed_in = request.user.is_authenticated
    refused = guards.refusal(actor=request.user, item=item) if signed_in else None
    return render(request, "cases/guide.html", {
        "item": item, "config": item.current_version.config, "for_whom": eligibility.for_whom(item),
        "refused": refused, "draft": applying.open_draft(user=request.user, item=item) if signed_in else None,
        "relations": verified_relations(user=request.user) if signed_in else (), "form": form}, status=status)


@login_required
@require_POST
def apply(request, code: str):
    """在线申请: the open draft of the service if there is one, else a new one. A bad pick
    of whom to apply for is shown on the guide at the field; a refusal that names no
    field of it (the audience, a guard) sends the visitor back to the guide, which
    says why."""
    item = selectors.published_item(code=code)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            # for someone else: one of one's verified relations, picked (never typed)
            subject = services.relative_for(actor=request.user, relation=form.cleaned_data["relation"])
            case, resumed = applying.apply_or_resume(actor=request.user, item=item,
                                                     on_behalf=form.cleaned_data["on_behalf"], subject_person=subject)
        except ApplicationError as exc:
            if exc.field not in form.fields:
                messages.error(request, exc.message)
                return redirect("cases:guide", code=code)
            add_service_error(form, exc)
        else:
            if resumed:
                messages.info(request, _("You already have an unsubmitted application for this service; it has "
                                         "been opened for you to go on filling in."))
            return redirect("cases:edit", pk=case.pk)
    return _guide_page(request, item, form=form, status=400)


@login_required
def my_cases(request):
    page = Paginator(selectors.own_cases(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "cases/my_cases.html", {"page": page})


@login_required
def case_detail(request, pk: int):
    return _detail_page(request, selectors.own_case(user=request.user, pk=pk))


def _detail_page(request, case, *, withdraw_form=None, upload_form=None, status: int = 200):
    may = selectors.applicant_may(case)
    return render(request, "cases/case_detail.html", {
        "case": case, "materials": selectors.case_materials(case), "events": case.events.all(),
        "answer_rows": answer_rows(case.config, case.answers),
        "can_edit": may["edit"], "can_withdraw": may["withdraw"], "can_urge": may["urge"],
        "can_supplement": may["upload"] and bool(case.deficiencies),
        "withdraw_form": withdraw_form or WithdrawForm(), "upload_form": upload_form}, status=status)


EDITABLE = (Status.DRAFT, Status.RETURNED)


@login_required
def case_edit(request, pk: int):
    """The form: each change is saved as a draft (htmx re-renders the fields, so a
    field shown by another answer appears at once); "提交" submits. The steps: submit
    one's own draft in one read (`_submit_own`); else load the case (404, or its page
    once it is no longer editable); show it, or keep what was sent and submit it or
    save it as the draft (`_submit`, `_save`); a refusal shows the page again with
    what was typed and the message at its field."""
    controls = EditControls(request.POST if request.method == "POST" else None)
    refused = None
    if controls.submitting:
        try:
            if services.submit_own(actor=request.user, pk=pk, answers=request.POST) is not None:
                messages.success(request, _("Application submitted."))
                return redirect("cases:detail", pk=pk)
        except ApplicationError as exc:
            refused = exc
    case = selectors.own_case(user=request.user, pk=pk)
    if case.status not in EDITABLE:
        return redirect("cases:detail", pk=pk)
    if not controls.is_bound:
        return _edit_page(request, case, controls=controls)
    if not controls.is_valid():
        return _edit_page(request, case, controls=controls, keep_typed=True, status=400)
    answers = posted_answers(request.POST, case.config)
    try:
        if controls.submitting:
            _submit(request, case, answers, refused=refused)
            messages.success(request, _("Application submitted."))
            return redirect("cases:detail", pk=pk)
        case = _save(request, case, answers)
    except ApplicationError as error:
        case.refresh_from_db()
        return _edit_page(request, case, controls=controls, error=error)
    case.refresh_from_db()
    return _edit_page(request, case, controls=controls)


def _submit(request, case, answers: dict, *, refused: ApplicationError | None) -> None:
    """Submit `case` with the last answers; `refused`: `submit_own`'s refusal, raised
    here. Refused, what was typed is still kept as the draft (if the draft itself is
    refused, that refusal is the one raised); a changed identity would only be refused,
    and put on the trail, again."""
    try:
        if refused is not None:
            raise refused
        # not found by submit_own as one's own draft, and now it is: submit it
        services.submit(actor=request.user, case=case, answers=answers)
    except ApplicationError as refusal:
        if not isinstance(refusal, services.IdentityChanged):
            services.save_draft(actor=request.user, case=case, answers=answers)
        raise


def _save(request, case, answers: dict):
    case = services.save_draft(actor=request.user, case=case, answers=answers)
    if not request.htmx:
        messages.success(request, _("Draft saved."))
    return case


def _edit_page(request, case, *, controls: EditControls, error: ApplicationError | None = None,
               upload_form: UploadForm | None = None, keep_typed: bool = False, status: int = 200):
    """The edit page (its fields alone for htmx). After a refusal the form is bound to
    what was typed, so the applicant sees it again with the message at the field (an
    unbound form cannot carry errors); saved, with the same fields still shown, htmx
    is answered with nothing to redraw (redrawing would take the field the applicant
    is typing in away from under them)."""
    form = application_form(case.config, case.answers, data=request.POST if error or keep_typed else None,
                            locked=services.identity_keys(case))
    if error is not None:
        form.errors.pop(error.field, None)  # the service's message is the one to show
        add_service_error(form, error)
        status = 422
    materials = selectors.case_materials(case)
    keys = [m["key"] for m in materials]
    context = {"case": case, "form": form, "controls": controls, "materials": materials,
               "material_keys": ",".join(keys), "upload_form": upload_form}
    if request.htmx and error is None and controls.shows(form.fields):
        if controls.shows_materials(keys):
            return HttpResponse(status=204)
        # an answer made a material apply (or stop applying): redraw the materials alone,
        # never the field being typed in (HX-Reswap: none; the out-of-band swap still runs)
        response = render(request, "cases/_materials.html", {**context, "oob": True})
        response["HX-Reswap"] = "none"
        return response
    if request.htmx:
        return render(request, "cases/_form_htmx.html", {**context, "oob": True}, status=status)
    return render(request, "cases/case_edit.html", context, status=status)


@login_required
@require_POST
def upload(request, pk: int):
    """One file for one material, from the edit page (with the answers typed so far,
    kept first) or the detail page (a supplement); refused or bad, that page again
    with the message beside the material."""
    case = selectors.own_case(user=request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES, materials=case.config["materials"])
    try:
        _keep_carried_answers(request, case)
        if form.is_valid():
            services.upload_material(actor=request.user, case=case, material_key=form.cleaned_data["material"],
                                     upload=form.cleaned_data["file"])
            if request.htmx and not form.to_detail:
                return _materials(request, case, notice=_("Material uploaded."))
            messages.success(request, _("Material uploaded."))
            return redirect("cases:detail" if form.cleaned_data["back"] == "detail" else "cases:edit", pk=pk)
    except ApplicationError as exc:
        add_service_error(form, exc)
    case.refresh_from_db()
    if request.htmx and not form.to_detail and case.status in EDITABLE:
        return _materials(request, case, upload_form=form, status=422)
    if form.to_detail or case.status not in EDITABLE:
        return _detail_page(request, case, upload_form=form, status=400)
    return _edit_page(request, case, controls=EditControls(), upload_form=form, status=400)


def _materials(request, case, *, notice: str = "", error: str = "", upload_form: UploadForm | None = None,
               status: int = 200):
    """The edit page's materials alone, for an upload or a removal sent by htmx: the
    applicant sees the file arrive (or the reason it was refused) in place."""
    case = selectors.own_case(user=request.user, pk=case.pk)  # its files as they are now
    return render(request, "cases/_materials.html", {
        "case": case, "materials": selectors.case_materials(case), "notice": notice,
        "error": error, "upload_form": upload_form}, status=status)


def _keep_carried_answers(request, case) -> None:
    """The answers the edit page sends along with a file (see case_edit.html), kept as
    the draft first, so a page reload never loses what was typed."""
    answers = carried_answers(request.POST, case.config)
    if answers and case.status in EDITABLE:
        services.save_draft(actor=request.user, case=case, answers=answers)


@login_required
@require_POST
def remove_file(request, pk: int, file_pk: int):
    case = selectors.own_case(user=request.user, pk=pk)
    try:
        _keep_carried_answers(request, case)
        uploads.remove(actor=request.user, attachment=selectors.attachment_for(user=request.user, case=case,
                                                                               pk=file_pk))
    except ApplicationError as exc:
        if request.htmx:
            return _materials(request, case, error=exc.message, status=422)
        messages.error(request, exc.message)
        return redirect("cases:edit", pk=pk)
    if request.htmx:
        return _materials(request, case, notice=_("File deleted."))
    return redirect("cases:edit", pk=pk)


@login_required
def download(request, pk: int, file_pk: int):
    case = selectors.own_case(user=request.user, pk=pk)
    return _file_response(selectors.attachment_for(user=request.user, case=case, pk=file_pk))


def _file_response(attachment):
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        # the row is there but its file is not (a restore that missed the media, a
        # bucket policy): say so instead of failing
        raise Http404(_("The file does not exist or has been removed; please contact the handling unit.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=uploads.download_name(attachment),
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def act(request, pk: int, action: str):
    """撤回 (with an optional reason, too long: the page again with it) or 催办."""
    case = selectors.own_case(user=request.user, pk=pk)
    if action not in ("withdraw", "urge"):
        raise Http404
    form = WithdrawForm(request.POST)
    try:
        if action == "urge":
            count = services.urge(actor=request.user, case=case)
            messages.success(request, _("Urged (%(count)d handling steps notified).") % {"count": count})
        elif form.is_valid():
            services.withdraw(actor=request.user, case=case, reason=form.cleaned_data["reason"])
            messages.success(request, _("Application withdrawn."))
        else:
            return _detail_page(request, case, withdraw_form=form, status=400)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", pk=pk)
