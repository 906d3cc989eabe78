"""The little HTTP the provider adapters and the WeChat sign-in need, on the standard
library: a JSON answer or a RemoteError that says whether retrying can help."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

from django.utils.translation import gettext as _

TIMEOUT = 10


class RemoteError(Exception):
    """A remote service failed; `permanent` says trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def call(url: str, *, data: bytes | None = None, content_type: str = "", timeout: float = TIMEOUT) -> dict:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        if exc.code >= 500 or not raw:
            raise RemoteError(_("The service answered HTTP %(code)s") % {"code": exc.code}) from None
        # provider errors (4xx) carry a JSON body that the adapter interprets
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RemoteError(_("Cannot reach the service: %(reason)s") % {"reason": getattr(exc, "reason", exc)}) from None
    except http.client.HTTPException as exc:
        # the connection broke mid-answer or the answer was not HTTP (not an OSError)
        raise RemoteError(_("The service's answer was incomplete: %(error)r") % {"error": exc}) from None
    try:
        answer = json.loads(raw)
    except ValueError:
        raise RemoteError(_("The service answered something that cannot be read")) from None
    if not isinstance(answer, dict):
        raise RemoteError(_("The service answered something that cannot be read"))
    return answer
