"""Staff pages of the archive: capturing a case's item (from the case page's panel),
reading a capture, and a person's archive with its historical papers."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.decorators import staff_required
from tongban.cases.selectors import staff_case
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error
from tongban.records import selectors, services
from tongban.records.forms import CaptureForm, HistoricalForm


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _form_errors(form) -> dict:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


@staff_required
@require_POST
def capture(request, pk: int):
    """One item's pages, from the case page (the script sends them with their digests
    and asks for JSON; without the script, the form posts and the page comes back)."""
    case = staff_case(user=request.user, pk=pk)
    form = CaptureForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.capture(actor=request.user, case=case, item_key=data["item"], pages=data["pages"],
                             device=data["device"], source=data["source"], digests=data["digests"])
        except ApplicationError as exc:
            add_service_error(form, exc)
    back = reverse("cases:staff-detail", args=[case.pk]) + "#captures"
    if form.errors:
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": _form_errors(form)}, status=422)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    if _wants_json(request):
        return JsonResponse({"ok": True, "next": back})
    messages.success(request, _("Captured."))
    return redirect(back)


@staff_required
def capture_file(request, pk: int):
    found = selectors.capture_for(user=request.user, pk=pk)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file does not exist or has been removed.")) from exc
    response = FileResponse(handle, as_attachment=False, filename=f"{found.item_name}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
def person_archive(request, pk: int):
    """A person's archive: what was captured for them, and historical papers captured
    into it without a case."""
    person, captures = selectors.person_archive(user=request.user, pk=pk)
    form = HistoricalForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.capture_historical(actor=request.user, person=person, title=data["title"],
                                            pages=data["pages"], device=data["device"], source=data["source"],
                                            digests=data["digests"])
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                if _wants_json(request):
                    return JsonResponse({"ok": True, "next": request.path})
                messages.success(request, _("Captured."))
                return redirect(request.path)
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": _form_errors(form)}, status=422)
        status = 422
    return render(request, "records/person_archive.html",
                  {"person": person, "captures": captures, "form": form}, status=status)
