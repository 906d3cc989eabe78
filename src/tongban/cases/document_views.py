"""The printable result of a completed case, for its applicant and for staff within
reach: the stored, sealed file, never a fresh one."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from tongban.accounts.decorators import staff_required
from tongban.cases import selectors
from tongban.cases.documents import stored_result
from tongban.cases.models import Status


def _pdf(case, user) -> HttpResponse:
    if case.status != Status.COMPLETED:
        raise Http404
    response = HttpResponse(stored_result(case, actor=user), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{case.serial}.pdf"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def own_result(request, pk: int):
    return _pdf(selectors.own_case(user=request.user, pk=pk), request.user)


@staff_required
def staff_result(request, pk: int):
    return _pdf(selectors.staff_case(user=request.user, pk=pk), request.user)
