from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tongban.accounts import throttle
from tongban.archive import selectors
from tongban.archive.forms import NumberForm, VerifyUploadForm
from tongban.audit.middleware import client_ip
from tongban.lib.errors import ApplicationError

# Checking a large PDF's seals costs real CPU and the page is public: each address may
# check (or look up) this many times per window.
CHECKS_PER_WINDOW = 30
WINDOW_SECONDS = 10 * 60


def _throttled(request) -> bool:
    address = client_ip(request)
    if throttle.is_locked("seal-verify", address, limit=CHECKS_PER_WINDOW):
        return True
    throttle.fail("seal-verify", address, window=WINDOW_SECONDS)
    return False


@never_cache
def verify(request):
    """Anyone uploads a PDF, or types (or scans from the QR code) the number printed on
    it. For a file: one verdict first (有效 / 文件已被改动 / 无签章 / 签章者不可信), then
    each seal: who applied it, for which unit and level, when, whether it holds. For a
    number: what the archive holds under it (no personal data beyond a masked name)."""
    upload_form, number_form = VerifyUploadForm(), NumberForm()
    result = error = None
    document = seals = None
    looked_up = False
    status = 200
    if request.method == "POST":
        upload_form = VerifyUploadForm(request.POST, request.FILES)
        if _throttled(request):
            error, status = _("Too many checks; please try again in 10 minutes."), 429
        elif upload_form.is_valid():
            try:
                result = selectors.verify_upload(upload_form.cleaned_data["pdf"])
            except ApplicationError as exc:
                error, status = exc.message, 400
        else:
            status = 400
    elif "number" in request.GET:
        number_form = NumberForm(request.GET)
        looked_up = True
        if _throttled(request):
            error, status = _("Too many checks; please try again in 10 minutes."), 429
        elif number_form.is_valid():
            document = selectors.document_by_number(number_form.cleaned_data["number"])
            seals = selectors.seals_of(document) if document else None
        else:
            status = 400
    return render(request, "archive/verify.html", {
        "upload_form": upload_form, "number_form": number_form, "result": result, "error": error,
        "document": document, "seals": seals, "looked_up": looked_up and number_form.is_bound
        and not number_form.errors and not error,
        "file_name": request.FILES["pdf"].name if result and "pdf" in request.FILES else "",
        "max_mb": settings.CASE_UPLOAD_MAX_BYTES // (1024 * 1024),
    }, status=status)
