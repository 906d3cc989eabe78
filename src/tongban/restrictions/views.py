"""The admins' page of current restrictions: see them within their reach, lift one
with a reason, restrict someone by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongban.accounts.access import can, scope
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.lib.errors import ApplicationError
from tongban.people.models import Person
from tongban.restrictions import selectors, services
from tongban.restrictions.models import Blocks, Kind


@staff_required
def index(request):
    if not can(request.user, Action.RESTRICTION_MANAGE):
        raise PermissionDenied
    show_all = request.GET.get("all") == "1"
    query = request.GET.get("q", "").strip()[:50]
    qs = selectors.restrictions(user=request.user, current_only=not show_all, query=query)
    error = None
    if request.method == "POST":
        number = request.POST.get("student_number", "").strip()
        person = scope(Person.objects.all(), request.user, Action.RESTRICTION_MANAGE).filter(
            student_number=number).first() if number else None
        try:
            if person is None:
                raise ApplicationError("person_not_found", "找不到该学号/工号的人员（或不在您的管理范围内）",
                                       field="student_number")
            services.impose(actor=request.user, person=person, kind=Kind.MANUAL,
                            reason=request.POST.get("reason", ""), blocks=request.POST.get("blocks", ""))
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, f"已限制 {person.name}。")
            return redirect("restrictions:index")
    return render(request, "restrictions/index.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "show_all": show_all, "q": query,
        "blocks": Blocks.choices, "error": error,
    }, status=error.status if error else 200)


@staff_required
@require_POST
def lift(request, pk: int):
    found = selectors.restriction_for(user=request.user, pk=pk)
    try:
        services.lift(actor=request.user, restriction=found, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解除对 {found.person.name} 的限制。")
    return redirect("restrictions:index")
