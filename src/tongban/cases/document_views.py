"""The printable result of a completed case, for its applicant and for staff within
reach."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from tongban.accounts.decorators import staff_required
from tongban.cases import selectors
from tongban.cases.documents import result_pdf
from tongban.cases.models import Status


def _pdf(case) -> HttpResponse:
    if case.status != Status.COMPLETED:
        raise Http404
    response = HttpResponse(result_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{case.serial}.pdf"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def own_result(request, pk: int):
    return _pdf(selectors.own_case(user=request.user, pk=pk))


@staff_required
def staff_result(request, pk: int):
    return _pdf(selectors.staff_case(user=request.user, pk=pk))
