from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


class SlidingSessionMiddleware:
    """The idle timeout, without writing the session on every request: a signed-in
    session is saved again (its expiry pushed SESSION_COOKIE_AGE ahead) once it was last
    pushed more than SESSION_REFRESH_SECONDS ago. The idle limit is then kept to within
    that many seconds, and a burst of requests costs one write, not one each."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and not session.modified:
            now = int(timezone.now().timestamp())
            if now - session.get("_pushed", 0) >= settings.SESSION_REFRESH_SECONDS:
                session["_pushed"] = now  # modified: SessionMiddleware saves it on the way out
        return response


class SecondFactorRequired:
    """A signed-in session of staff who need a second factor (second_factor.py) reaches
    nothing but the verify and enrol pages and logout until it is verified: pages are
    sent to verify (or to enrol, for someone without an authenticator yet), the API
    answers 403. Enforced here, for every view, whatever decorator a view forgets."""

    OPEN = ("/accounts/second-factor/", "/accounts/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(self.OPEN)
                and not user.is_verified() and _needs(user)):
            return _to_second_factor(request)
        return self.get_response(request)


def _needs(user) -> bool:
    from tongban.accounts.second_factor import needs_second_factor

    return needs_second_factor(user)


def _to_second_factor(request):
    from urllib.parse import urlencode

    from django.http import JsonResponse
    from django.shortcuts import redirect
    from django.urls import reverse

    from tongban.accounts.second_factor import is_enrolled

    if request.path.startswith("/api/"):
        return JsonResponse({"code": "second_factor_required",
                             "message": _("Pass the second factor on the web page first.")}, status=403)
    target = reverse("accounts:second-factor" if is_enrolled(request.user) else "accounts:second-factor-enrol")
    if request.method == "GET" and not request.headers.get("HX-Request"):
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)
