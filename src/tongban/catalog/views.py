"""The form preview for service admins: the draft as the applicant will see it, with
its conditions working (each change re-renders which fields and materials apply)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from tongban.accounts.access import can, scope
from tongban.accounts.roles import Action
from tongban.catalog.forms import PreviewAnswersForm, application_form
from tongban.catalog.forms_runtime import applicable_materials
from tongban.catalog.models import ServiceItem
from tongban.catalog.services import check_draft
from tongban.lib.errors import ApplicationError


@login_required
def preview(request, pk: int):
    if not can(request.user, Action.CATALOG_MANAGE):
        raise PermissionDenied
    # only the services of the units the admin manages: another unit's draft is not theirs to see
    item = get_object_or_404(scope(ServiceItem.objects.all(), request.user, Action.CATALOG_MANAGE), pk=pk)
    try:
        config = check_draft(item)
    except ApplicationError as exc:
        return render(request, "catalog/preview.html", {"item": item, "problem": exc.message}, status=422)
    # what the admin tried: the good answers decide what is shown, the bad ones are
    # shown as typed with the reason next to them
    tried = PreviewAnswersForm(config, request.POST if request.method == "POST" else None)
    tried.is_valid()
    answers = tried.answers
    form = application_form(config, answers, data=tried.data if tried.is_bound else None)
    for key, errors in tried.errors.items():
        if key in form.fields:
            form.errors.pop(key, None)  # the display form's own word on the same value
            form.add_error(key, errors)
    context = {"item": item, "config": config, "form": form,
               "materials": applicable_materials(config, answers)}
    template = "catalog/_preview_body.html" if request.htmx else "catalog/preview.html"
    return render(request, template, context)
