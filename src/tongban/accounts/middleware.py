from django.conf import settings
from django.utils import timezone


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
