"""The system administrator's pages for registered systems: list, register (the secret
is shown once, on the answer to the registration), rotate a secret, revoke."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.interop import selectors, services
from tongban.interop.forms import RegisterForm, RevokeForm, RotateForm
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error


def system_admin_only(view):
    @staff_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not can(request.user, Action.INTEROP_MANAGE):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


@system_admin_only
def index(request):
    clients = selectors.clients(user=request.user)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = services.register_client(
                actor=request.user, name=data["name"], kind=data["kind"], scopes=data["scopes"],
                units=list(data["units"]), rate_per_minute=data["rate_per_minute"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "interop/secret.html", {"client": client, "secret": secret, "new": True})
    return render(request, "interop/index.html", {"clients": clients, "form": form},
                  status=400 if form.errors else 200)


@system_admin_only
def detail(request, pk: int):
    client = selectors.client_for(user=request.user, pk=pk)
    return render(request, "interop/detail.html", {"client": client, "rotate": RotateForm(),
                                                    "revoke": RevokeForm()})


@system_admin_only
@require_POST
def rotate(request, pk: int):
    client = selectors.client_for(user=request.user, pk=pk)
    form = RotateForm(request.POST)
    if form.is_valid():
        try:
            secret = services.rotate_secret(actor=request.user, client=client,
                                            overlap_hours=form.cleaned_data["overlap_hours"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "interop/secret.html", {"client": client, "secret": secret, "new": False})
    return render(request, "interop/detail.html", {"client": client, "rotate": form, "revoke": RevokeForm()},
                  status=400)


@system_admin_only
@require_POST
def revoke(request, pk: int):
    client = selectors.client_for(user=request.user, pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_client(actor=request.user, client=client, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s is revoked: its tokens no longer open anything.")
                             % {"name": client.name})
            return redirect("interop:detail", pk=client.pk)
    return render(request, "interop/detail.html", {"client": client, "rotate": RotateForm(), "revoke": form},
                  status=400)
