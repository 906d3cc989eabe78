"""Applicant pages: the catalog and guides, applying (draft, upload, submit), my cases
and what I can do with them. Writes go through services; reads through selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongban.cases import applying, guards, selectors, services, uploads
from tongban.cases.guide_forms import ApplyForm, ServiceSearchForm
from tongban.cases.models import Status
from tongban.catalog import eligibility
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.forms import application_form
from tongban.catalog.forms_runtime import answer_rows, field_keys
from tongban.lib.errors import ApplicationError
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
    item = selectors.published_item(code=code)
    signed_in = request.user.is_authenticated
    refused = guards.refusal(actor=request.user, item=item) if signed_in else None
    return render(request, "cases/guide.html", {
        "item": item, "config": item.current_version.config, "for_whom": eligibility.for_whom(item),
        "refused": refused, "draft": applying.open_draft(user=request.user, item=item) if signed_in else None,
        "relations": verified_relations(user=request.user) if signed_in else ()})


@login_required
@require_POST
def apply(request, code: str):
    """在线申请: the open draft of the service if there is one, else a new one; refused
    (the audience, a guard) back on the guide with the reason."""
    item = selectors.published_item(code=code)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("cases:guide", code=code)
    try:
        # for someone else: one of one's verified relations, picked (never typed)
        subject = services.relative_for(actor=request.user, relation=form.cleaned_data["relation"])
        case, resumed = applying.apply_or_resume(actor=request.user, item=item,
                                                 on_behalf=form.cleaned_data["on_behalf"], subject_person=subject)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("cases:guide", code=code)
    if resumed:
        messages.info(request, "您已有该事项尚未提交的申请，已为您打开，请继续填写。")
    return redirect("cases:edit", pk=case.pk)


@login_required
def my_cases(request):
    page = Paginator(selectors.own_cases(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "cases/my_cases.html", {"page": page})


@login_required
def case_detail(request, pk: int):
    case = selectors.own_case(user=request.user, pk=pk)
    may = selectors.applicant_may(case)
    return render(request, "cases/case_detail.html", {
        "case": case, "materials": selectors.case_materials(case), "events": case.events.all(),
        "answer_rows": answer_rows(case.config, case.answers),
        "can_edit": may["edit"], "can_withdraw": may["withdraw"], "can_urge": may["urge"],
        "can_supplement": may["upload"] and bool(case.deficiencies)})


@login_required
def case_edit(request, pk: int):
    """The form: each change is saved as a draft (htmx re-renders the fields, so a
    field shown by another answer appears at once); "提交" submits."""
    submitting = request.method == "POST" and request.POST.get("action") == "submit"
    refused = None
    if submitting:
        # The last answers and the submission in one transaction, which reads the case
        # once, locked. The page's own read below is left for a refusal and for a case
        # that is not one's own draft (404, or its page).
        try:
            if services.submit_own(actor=request.user, pk=pk, answers=request.POST) is not None:
                messages.success(request, "申请已提交。")
                return redirect("cases:detail", pk=pk)
        except ApplicationError as exc:
            refused = exc
    case = selectors.own_case(user=request.user, pk=pk)
    if case.status not in (Status.DRAFT, Status.RETURNED):
        return redirect("cases:detail", pk=pk)
    error = None
    if request.method == "POST":
        keys = field_keys(case.config)
        answers = {k: v for k, v in request.POST.items() if k in keys}
        try:
            if submitting:
                try:
                    if refused is not None:
                        raise refused
                    # not found above as one's own draft, and now it is: submit it
                    services.submit(actor=request.user, case=case, answers=answers)
                except ApplicationError as refusal:
                    # refused: what was typed is still kept as the draft (if the draft
                    # itself is refused, that refusal is the one to show); a changed
                    # identity would only be refused, and put on the trail, again
                    if not isinstance(refusal, services.IdentityChanged):
                        services.save_draft(actor=request.user, case=case, answers=answers)
                    raise
                messages.success(request, "申请已提交。")
                return redirect("cases:detail", pk=pk)
            case = services.save_draft(actor=request.user, case=case, answers=answers)
            if not request.htmx:
                messages.success(request, "草稿已保存。")
        except ApplicationError as exc:
            error = exc
        case.refresh_from_db()
    # After a refusal the form is bound to what was typed, so the applicant sees it
    # again with the message at the field (an unbound form cannot carry errors).
    form = application_form(case.config, case.answers, data=request.POST if error else None,
                            locked=services.identity_keys(case))
    if request.htmx and not error and request.POST.get("_shown") == ",".join(form.fields):
        # saved, and the same fields stay visible: nothing to redraw (redrawing would
        # take the field the applicant is typing in away from under them)
        return HttpResponse(status=204)
    if error and error.field in form.fields:
        form.errors.pop(error.field, None)  # the service's message is the one to show
        form.add_error(error.field, error.message)
    context = {"case": case, "form": form, "error": error, "materials": selectors.case_materials(case)}
    if request.htmx:
        return render(request, "cases/_form.html", context)
    return render(request, "cases/case_edit.html", context, status=422 if error else 200)


@login_required
@require_POST
def upload(request, pk: int):
    case = selectors.own_case(user=request.user, pk=pk)
    key = request.POST.get("material", "")
    file = request.FILES.get("file")
    try:
        _keep_carried_answers(request, case)
        if file is None:
            raise ApplicationError("no_file", "请选择要上传的文件", field=key)
        services.upload_material(actor=request.user, case=case, material_key=key, upload=file)
        messages.success(request, "材料已上传。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail" if request.POST.get("back") == "detail" else "cases:edit", pk=pk)


def _keep_carried_answers(request, case) -> None:
    """The answers the edit page sends along with a file (see case_edit.html), kept as
    the draft first, so a page reload never loses what was typed."""
    keys = field_keys(case.config)
    answers = {name.removeprefix("answer__"): value for name, value in request.POST.items()
               if name.startswith("answer__") and name.removeprefix("answer__") in keys}
    if answers and case.status in (Status.DRAFT, Status.RETURNED):
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
        messages.error(request, exc.message)
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
        raise Http404("文件不存在或已被移除，请联系办理单位。") from exc
    response = FileResponse(handle, as_attachment=True, filename=uploads.download_name(attachment),
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def act(request, pk: int, action: str):
    case = selectors.own_case(user=request.user, pk=pk)
    try:
        if action == "withdraw":
            services.withdraw(actor=request.user, case=case, reason=request.POST.get("reason", ""))
            messages.success(request, "申请已撤回。")
        elif action == "urge":
            count = services.urge(actor=request.user, case=case)
            messages.success(request, f"已催办（通知了 {count} 个办理环节）。")
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", pk=pk)
