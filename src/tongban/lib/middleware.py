from django.http import HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _

MESSAGE = _("The request holds an invalid character (NUL).")


class RejectNulCharacters:
    """A NUL character in the path, a query or a form value is never meaningful, and PostgreSQL
    refuses it in text and JSON (a 500 wherever a raw value reaches a query): the
    request is refused with 400 before any view sees it. (The API's JSON bodies are
    checked by its parser, tongban.api.main.CheckedParser.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return HttpResponseBadRequest(str(MESSAGE).encode(), content_type="text/plain; charset=utf-8")
        for values in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
            for key, items in values.lists():
                if "\x00" in key or any("\x00" in item for item in items):
                    return HttpResponseBadRequest(str(MESSAGE).encode(), content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class NoStoreForPersonalAnswers:
    """Whatever is served to a signed-in user, and every API answer, is `Cache-Control:
    no-store`: pages, files, PDFs, exports and JSON about a person must not stay in a
    shared computer's browser cache or a proxy. Static assets (their own, immutable
    names) are left to WhiteNoise, which answers them before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or request.path.startswith("/api/")) and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
