from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tongban.accounts import throttle
from tongban.archive.selectors import verify_pdf
from tongban.audit.middleware import client_ip
from tongban.lib.errors import ApplicationError

# Checking a large PDF's seals costs real CPU and the page is public: each address may
# check this many files per window.
CHECKS_PER_WINDOW = 30
WINDOW_SECONDS = 10 * 60


def _read_upload(request) -> bytes:
    upload = request.FILES.get("pdf")
    if upload is None:
        raise ApplicationError("pdf_required", "请选择要核验的 PDF 文件。", field="pdf")
    limit = settings.CASE_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError("pdf_too_large", f"文件过大，不能超过 {limit // (1024 * 1024)} MB。", field="pdf")
    data = upload.read(limit + 1)
    if not data.startswith(b"%PDF-"):
        raise ApplicationError("pdf_not_pdf", "上传的文件不是 PDF。", field="pdf")
    return data


@never_cache
def verify(request):
    """Anyone uploads a PDF and sees each seal on it: which unit, when, whether the
    document is unchanged since, whether the seal is one of ours."""
    checks = None
    error = None
    name = ""
    if request.method == "POST":
        try:
            address = client_ip(request)
            if throttle.is_locked("seal-verify", address, limit=CHECKS_PER_WINDOW):
                raise ApplicationError("too_many_checks", "核验次数过多，请 10 分钟后再试。")
            throttle.fail("seal-verify", address, window=WINDOW_SECONDS)
            data = _read_upload(request)
            name = request.FILES["pdf"].name
            checks = verify_pdf(data)
        except ApplicationError as exc:
            error = exc
    status = (429 if error.code == "too_many_checks" else 400) if error else 200
    return render(request, "archive/verify.html", {
        "checks": checks, "error": error, "file_name": name,
        "changed_after_last": bool(checks) and not checks[-1].covers_whole_file,
        "max_mb": settings.CASE_UPLOAD_MAX_BYTES // (1024 * 1024),
    }, status=status)
