from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from tongban.accounts import lockout, second_factor
from tongban.accounts.access import can, roles_of
from tongban.accounts.forms import LoginForm, NextField, TokenForm, UnlockForm
from tongban.accounts.roles import STAFF_ROLES, Action
from tongban.accounts.services import record_login
from tongban.audit.middleware import client_ip
from tongban.lib.errors import ApplicationError


def _next(request, user, form: NextField) -> str:
    target = form.cleaned_data.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return target or reverse("workbench:home" if roles_of(user) & STAFF_ROLES else "portal:home")


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_view(request):
    form = LoginForm(request, data=request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)  # rotates the session key
        record_login(user=user)
        target = _next(request, user, form)
        if second_factor.needs_second_factor(user):
            # the middleware would send them there too; going straight keeps `next`
            step = "accounts:second-factor" if second_factor.is_enrolled(user) else "accounts:second-factor-enrol"
            return redirect(f"{reverse(step)}?{urlencode({'next': target})}")
        return redirect(target)
    return render(request, "accounts/login.html", {"form": form})


def _verified(request, device):
    """The session passed its second factor: kept on it, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()


@sensitive_post_parameters()
@csrf_protect
@never_cache
@login_required
def second_factor_view(request):
    """After the password: the authenticator's code (or a recovery code)."""
    if not second_factor.is_enrolled(request.user):
        return redirect("accounts:second-factor-enrol")
    form = TokenForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(user=request.user, token=form.cleaned_data["token"],
                                          address=client_ip(request))
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            _verified(request, device)
            return redirect(_next(request, request.user, form))
    return render(request, "accounts/second_factor.html", {"form": form},
                  status=422 if form.errors else 200)


@sensitive_post_parameters()
@csrf_protect
@never_cache
@login_required
def second_factor_enrol_view(request):
    """Enrolling an authenticator: a QR code (and the key to type in), confirmed with
    one code; the recovery codes are shown once, on the answer."""
    import segno

    try:
        device = second_factor.begin_enrolment(user=request.user)
    except ApplicationError as exc:
        messages.info(request, exc.message)
        return redirect("accounts:second-factor")
    form = TokenForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.confirm_enrolment(user=request.user, token=form.cleaned_data["token"],
                                                    address=client_ip(request))
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            device.refresh_from_db()
            _verified(request, device)
            return render(request, "accounts/recovery_codes.html",
                          {"codes": codes, "next": _next(request, request.user, form)})
    return render(request, "accounts/second_factor_enrol.html", {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True),
        "secret": second_factor.secret_of(device),
    }, status=422 if form.errors else 200)


@csrf_protect
@never_cache
@login_required
def unlock_view(request):
    """An admin lifts a login lock on an account or a client address."""
    if not can(request.user, Action.ROLE_GRANT):
        raise PermissionDenied
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        was = lockout.unlock(actor=request.user, username=form.cleaned_data["username"],
                             address=form.cleaned_data["address"] or "")
        messages.success(request, _("Unlocked.") if was else _("No lock was found; this request is on the trail."))
        return redirect("accounts:unlock")
    return render(request, "accounts/unlock.html", {"form": form}, status=422 if form.errors else 200)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:home")


def wechat_start(request):
    """Inside WeChat: go through WeChat's silent authorisation and come back."""
    from tongban.accounts import wechat

    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    if not wechat.configured():
        return redirect(target or "portal:bind")
    state = secrets.token_urlsafe(16)
    request.session["wechat_state"] = state
    request.session["wechat_next"] = target
    callback = request.build_absolute_uri(reverse("accounts:wechat-callback"))
    return redirect(wechat.authorize_url(redirect_uri=callback, state=state))


@never_cache
def wechat_callback(request):
    """Back from WeChat with a code: log in the account bound to the openid, or keep
    the openid for the binding page."""
    from tongban.accounts import wechat
    from tongban.accounts.models import User

    expected = request.session.pop("wechat_state", None)
    target = request.session.pop("wechat_next", "") or ""
    if not expected or not secrets.compare_digest(expected, request.GET.get("state", "")):
        messages.error(request, _("The WeChat authorisation has expired: open the page again."))
        return redirect("portal:bind")
    try:
        openid = wechat.openid_for(request.GET.get("code", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("portal:bind")
    user = User.objects.filter(wechat_openid=openid, is_active=True).first()
    if user is not None:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        record_login(user=user)
        return redirect(target or "portal:home")
    request.session["wechat_openid"] = openid
    return redirect(f"{reverse('portal:bind')}?{urlencode({'next': target})}" if target else "portal:bind")
