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

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from tongban.lib.errors import ApplicationError


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # the messages readable as they are


api = NinjaAPI(title="通办开放接口", version="1", urls_namespace="api", auth=django_auth, renderer=Renderer(),
               description="申请人办事接口：事项目录与办事指南、在线申请（一次提交或草稿、上传材料、提交）、我的办件。")

STATUS_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found", 405: "not_allowed",
                409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many"}
MESSAGES = {400: "请求格式不正确", 401: "请先登录。", 403: "没有权限", 404: "未找到，或不是您的", 405: "不支持该方法",
            429: "请求过于频繁，请稍后再试"}


def refusal(request, status: int, code: str, message: str, **more):
    body = {"code": code, "message": message, **{k: v for k, v in more.items() if v not in (None, "")}}
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
    if exc.status_code == 403 and "CSRF" in str(exc):
        return refusal(request, 403, "csrf", "缺少或错误的 CSRF 令牌：请把 csrftoken Cookie 的值（或 /api/v1/me 给出的"
                       " csrf_token）放在 X-CSRFToken 请求头中")
    status = exc.status_code
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
    first = errors[0] if errors else {"field": "", "message": "请求格式不正确"}
    return refusal(request, 422, "invalid", f"{first['field']}：{first['message']}" if first["field"]
                   else first["message"], field=first["field"], errors=errors)


def _plain(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "必填"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "类型不正确"
    if kind == "json_invalid":
        return "不是合法的 JSON"
    return error.get("msg", "格式不正确")


api.add_router("/", "tongban.api.cases.router")
