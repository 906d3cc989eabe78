from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tongban.accounts.access import roles_of
from tongban.accounts.forms import LoginForm
from tongban.accounts.roles import STAFF_ROLES
from tongban.accounts.services import record_login
from tongban.lib.errors import ApplicationError


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_view(request):
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)  # rotates the session key
        record_login(user=user)
        target = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = ""
        if not target:
            target = "workbench:home" if roles_of(user) & STAFF_ROLES else "portal:home"
        return redirect(target)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


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
        messages.error(request, "微信授权已过期，请重新打开页面。")
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
