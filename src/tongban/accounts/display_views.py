"""The large-type switch shown on every applicant page (base.html)."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tongban.accounts.display import (
    LARGE_TYPE_COOKIE,
    LARGE_TYPE_COOKIE_AGE,
    LargeTypeForm,
    set_large_type,
)


@require_POST
def large_type(request):
    """Turn large type on or off: for this browser (a cookie, signed in or not) and, when
    signed in, for the account too. Back to the page the switch was on."""
    form = LargeTypeForm(request.POST)
    form.is_valid()  # both fields are optional: an unreadable `next` goes home
    on = bool(form.cleaned_data.get("on"))
    target = form.cleaned_data.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("portal:home")
    if request.user.is_authenticated:
        set_large_type(actor=request.user, user=request.user, on=on)
    answer = redirect(target)
    answer.set_cookie(LARGE_TYPE_COOKIE, "1" if on else "0", max_age=LARGE_TYPE_COOKIE_AGE,
                      samesite="Lax", secure=request.is_secure(), httponly=True)
    return answer
