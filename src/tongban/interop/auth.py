"""How a system's call is let in: a bearer token from the token endpoint (OAuth 2.0 client
credentials), the scope the endpoint needs, a purpose, and the client's rate."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from tongban.interop.models import ApiClient
from tongban.interop.services import record_call
from tongban.lib.errors import ApplicationError, NotAllowed

PURPOSE_HEADER = "X-Purpose"


class NotAuthenticated(ApplicationError):
    status = 401


class TooManyCalls(ApplicationError):
    status = 429


def _window() -> str:
    return f"{timezone.now():%Y%m%d%H%M}"


def _over_rate(client: ApiClient) -> bool:
    """A fixed window per client and minute, counted in the cache (shared by every
    process when the cache is Redis): one client flooding never slows another."""
    key = f"interop:rate:{client.pk}:{_window()}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) > client.rate_per_minute
    except ValueError:  # the key expired between add and incr
        return False


class ClientToken(HttpBearer):
    """Ninja auth for system endpoints: `ClientToken("people:read")`."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token):
        valid, oauth = get_oauthlib_core().verify_request(request, scopes=[])
        access = getattr(oauth, "access_token", None)
        client = getattr(getattr(access, "application", None), "api_client", None) if valid else None
        if client is None or not client.is_active:
            raise NotAuthenticated("invalid_token", _("The access token is missing, expired or revoked: "
                                                      "ask the token endpoint for a new one."))
        purpose = request.headers.get(PURPOSE_HEADER, "").strip()
        if not access.allow_scopes([self.scope]):
            record_call(client=client, method=request.method, path=request.path, purpose=purpose, status=403,
                        refused="scope")
            raise NotAllowed("insufficient_scope", _("This client was not granted the scope %(scope)s.")
                               % {"scope": self.scope}, extra={"scope": self.scope})
        if _over_rate(client):
            raise TooManyCalls("rate_limited", _("Too many calls: at most %(rate)s a minute for this client.")
                               % {"rate": client.rate_per_minute})
        if not purpose:
            raise ApplicationError("purpose_required", _("Say why you read this data in the %(header)s header.")
                                   % {"header": PURPOSE_HEADER}, field=PURPOSE_HEADER)
        request.api_client = client
        request.api_scopes = set(access.scope.split())
        request.api_purpose = purpose
        return client
