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
from tongban.interop.forms import PushTargetForm, RegisterForm, ReplayForm, RevokeForm, RotateForm, SubscribeForm
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


def _detail(request, client, status=200, **forms):
    context = {"client": client, "rotate": RotateForm(), "revoke": RevokeForm(), "subscribe": SubscribeForm(),
               "push": PushTargetForm(),
               "subscriptions": client.subscriptions.filter(ended_at=None),
               "deliveries": selectors.deliveries(client=client)[:50]} | forms
    return render(request, "interop/detail.html", context, status=status)


@system_admin_only
def detail(request, pk: int):
    return _detail(request, selectors.client_for(user=request.user, pk=pk))


@system_admin_only
@require_POST
def subscribe(request, pk: int):
    client = selectors.client_for(user=request.user, pk=pk)
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            subscription, secret = services.subscribe(actor=request.user, client=client, url=form.cleaned_data["url"],
                                                      event_types=form.cleaned_data["event_types"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "interop/signing_secret.html", {"client": client, "subscription": subscription,
                                                                    "secret": secret})
    return _detail(request, client, status=400, subscribe=form)


@system_admin_only
@require_POST
def push_target(request, pk: int):
    client = selectors.client_for(user=request.user, pk=pk)
    form = PushTargetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = services.add_push_target(actor=request.user, client=client, service=data["service"],
                                                            url=data["url"], fields=data["fields"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "interop/signing_secret.html", {"client": client, "subscription": subscription,
                                                                    "secret": secret})
    return _detail(request, client, status=400, push=form)


@system_admin_only
@require_POST
def unsubscribe(request, pk: int, sub: int):
    client = selectors.client_for(user=request.user, pk=pk)
    subscription = selectors.subscription_for(client=client, user=request.user, pk=sub)
    try:
        services.end_subscription(actor=request.user, subscription=subscription)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("interop:detail", pk=client.pk)


@system_admin_only
def dead(request):
    """The dead-letter list: deliveries given up, newest first, to replay once the
    receiver is mended."""
    given_up = selectors.dead_letters(user=request.user)
    form = ReplayForm(request.POST or None, within=given_up)
    if request.method == "POST" and form.is_valid():
        count = services.replay(actor=request.user, deliveries=form.cleaned_data["deliveries"])
        messages.success(request, _("%(count)s deliveries are on their way again.") % {"count": count})
        return redirect("interop:dead")
    return render(request, "interop/dead.html", {"deliveries": given_up[:200], "form": form},
                  status=400 if form.errors else 200)


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
    return _detail(request, client, status=400, rotate=form)


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
    return _detail(request, client, status=400, revoke=form)
