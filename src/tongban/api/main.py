"""The standard API (/api/v1/): one NinjaAPI whose routers mirror the domains and own no
rules: each handler reads through a selector and writes through a service. Every
refusal is one JSON shape, `{"code", "message", "field"?}` (with `errors` for a body
that does not parse as the schema asks), the status saying what kind: 401 not signed
in, 403 not allowed, 404 not found or not yours, 409 not in this state, 422 bad input.

Signed-in callers (the applicant's phone page, a mini-program's web view) use their
session; a write carries the CSRF token (the `csrftoken` cookie, sent back as the
`X-CSRFToken` header), as a form post does. The docs (/api/v1/docs) are served from
django-ninja's own static files, not a CDN."""

from __future__ import annotations

import json
import math

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from tongban.api.errors import CSRF_MESSAGE, MESSAGES, STATUS_CODES
from tongban.lib.errors import ApplicationError


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # the messages readable as they are


def bad_text() -> ApplicationError:
    return ApplicationError("bad_character", _("The request holds an invalid character (NUL or an unpaired surrogate)"))


def bad_number() -> ApplicationError:
    return ApplicationError("bad_number", _("The request holds an invalid number (NaN, Infinity or out of range)"))


def _refuse_constant(name: str):
    raise bad_number()


def _check(value) -> None:
    """What JSON carries but no database stores: NUL and lone surrogates in text,
    non-finite numbers (1e400 parses as infinity)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise bad_text()
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise bad_text() from None
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise bad_number()
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    elif isinstance(value, list):
        for item in value:
            _check(item)


class CheckedParser(Parser):
    """JSON bodies (whatever their content type says), refused with 400 when they hold
    what PostgreSQL or SQLite cannot store."""

    def parse_body(self, request):
        data = json.loads(request.body, parse_constant=_refuse_constant)
        _check(data)
        return data


api = NinjaAPI(title=gettext_lazy("Tongban open API"), version="1", urls_namespace="api", auth=django_auth,
               renderer=Renderer(), parser=CheckedParser(),
               description=gettext_lazy("The applicants' API: the catalog of services and their guides, applying "
                                        "online (at once or as a draft, uploading materials, submitting), my cases."))



def refusal(request, status: int, code: str, message: str, **more):
    body = {"code": code, "message": str(message), **{k: v for k, v in more.items() if v not in (None, "")}}
    return api.create_response(request, body, status=status)


@api.exception_handler(ApplicationError)
def _application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return refusal(request, 404, "not_found", MESSAGES[404])


@api.exception_handler(AuthenticationError)
def _not_signed_in(request, exc):
    return refusal(request, 401, "login_required", MESSAGES[401])


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    status = exc.status_code
    if status == 400 and isinstance(exc.__cause__, ApplicationError):  # our parser's refusal
        return refusal(request, 400, exc.__cause__.code, exc.__cause__.message)
    if status == 403 and str(exc) == "CSRF check Failed":  # ninja's APIKeyCookie says so
        return refusal(request, 403, "csrf", CSRF_MESSAGE)
    return refusal(request, status, STATUS_CODES.get(status, "error"), MESSAGES.get(status, str(exc)))


# the names pydantic adds to a location for the member of a union it tried
_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list", "dict"}


def _field(loc) -> str:
    """The field an error is about: the last name in its location (["body", "payload",
    "answers", "year", "str"] → "year"), skipping list positions and the union member
    pydantic tried."""
    names = [str(part) for part in loc if not isinstance(part, int) and part not in ("body", "payload", "query",
                                                                                     "path", "form", "file")]
    while len(names) > 1 and (names[-1] in _TYPE_TAGS or "[" in names[-1]):
        names.pop()
    return names[-1] if names else ""


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = list({field: {"field": field, "message": _plain(e)}
                   for e in exc.errors for field in [_field(e.get("loc", ()))]}.values())
    first = errors[0] if errors else {"field": "", "message": str(MESSAGES[400])}
    return refusal(request, 422, "invalid", _("%(field)s: %(message)s") % first if first["field"]
                   else first["message"], field=first["field"], errors=errors)


def _plain(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("required")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("wrong type")
    if kind == "json_invalid":
        return _("not valid JSON")
    return error.get("msg", _("not well formed"))


api.add_router("/", "tongban.api.cases.router")
api.add_router("/system/", "tongban.interop.api.router")
api.add_router("/", "tongban.api.assistant.router")
