"""The form preview for service admins: the draft as the applicant will see it, with
its conditions working (each change re-renders which fields and materials apply)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from tongban.accounts.access import can, scope
from tongban.accounts.roles import Action
from tongban.catalog.forms import application_form
from tongban.catalog.forms_runtime import applicable_materials, clean_value
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
    answers, errors = {}, {}
    for spec in config["fields"]:
        if spec["key"] in request.POST:
            try:
                answers[spec["key"]] = clean_value(spec, request.POST[spec["key"]])
            except ApplicationError as exc:
                errors[spec["key"]] = exc.message
    form = application_form(config, answers)
    for key, message in errors.items():
        if key in form.fields:
            form.add_error(key, message)
    context = {"item": item, "config": config, "form": form,
               "materials": applicable_materials(config, answers)}
    template = "catalog/_preview_body.html" if request.htmx else "catalog/preview.html"
    return render(request, template, context)
