from django.conf import settings

from tongban.audit.context import origin


def client_ip(request) -> str:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Puts the client's address and user agent where the trail will find them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with origin(client_ip(request), request.META.get("HTTP_USER_AGENT", "")):
            return self.get_response(request)
