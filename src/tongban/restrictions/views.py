"""The admins' page of current restrictions: see them within their reach, lift one
with a reason, restrict someone by hand. Posted input goes through forms.py; bad input
or a refusal shows the page again with the reasons beside their fields."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.access import can, scope
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error
from tongban.people.models import Person
from tongban.restrictions import selectors, services
from tongban.restrictions.forms import ImposeForm, LiftForm
from tongban.restrictions.models import Kind


@staff_required
def index(request):
    if not can(request.user, Action.RESTRICTION_MANAGE):
        raise PermissionDenied
    form = ImposeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 422
        else:
            data = form.cleaned_data
            person = scope(Person.objects.all(), request.user, Action.RESTRICTION_MANAGE).filter(
                student_number=data["student_number"].strip()).first()
            try:
                if person is None:
                    raise ApplicationError("person_not_found", _(
                        "No one with this student/staff number (or not within your reach)"), field="student_number")
                services.impose(actor=request.user, person=person, kind=Kind.MANUAL, reason=data["reason"],
                                blocks=data["blocks"])
            except ApplicationError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("%(name)s restricted.") % {"name": person.name})
                return redirect("restrictions:index")
    return _page(request, form=form, status=status)


def _page(request, *, form: ImposeForm | None = None, lifting: tuple[int, LiftForm] | None = None,
          status: int = 200):
    show_all = request.GET.get("all") == "1"
    query = request.GET.get("q", "").strip()[:50]
    qs = selectors.restrictions(user=request.user, current_only=not show_all, query=query)
    return render(request, "restrictions/index.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "show_all": show_all, "q": query,
        "form": form or ImposeForm(), "lifting": lifting[0] if lifting else None,
        "lift_form": lifting[1] if lifting else None,
    }, status=status)


@staff_required
@require_POST
def lift(request, pk: int):
    found = selectors.restriction_for(user=request.user, pk=pk)
    form = LiftForm(request.POST)
    if not form.is_valid():
        return _page(request, lifting=(found.pk, form), status=422)
    try:
        services.lift(actor=request.user, restriction=found, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        if exc.field != "reason":
            messages.error(request, exc.message)
            return redirect("restrictions:index")
        add_service_error(form, exc)
        return _page(request, lifting=(found.pk, form), status=exc.status)
    messages.success(request, _("Restriction on %(name)s lifted.") % {"name": found.person.name})
    return redirect("restrictions:index")
