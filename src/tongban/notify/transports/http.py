"""The little HTTP the provider adapters need, on the standard library: a JSON answer
or a TransportError that says whether retrying can help."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

from tongban.notify.transports import TransportError

TIMEOUT = 10


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
            raise TransportError(f"服务返回 HTTP {exc.code}") from None
        # provider errors (4xx) carry a JSON body that the adapter interprets
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransportError(f"无法连接服务：{getattr(exc, 'reason', exc)}") from None
    except http.client.HTTPException as exc:
        # the connection broke mid-answer or the answer was not HTTP (not an OSError)
        raise TransportError(f"服务的回答不完整：{exc!r}") from None
    try:
        answer = json.loads(raw)
    except ValueError:
        raise TransportError("服务返回了无法解析的内容") from None
    if not isinstance(answer, dict):
        raise TransportError("服务返回了无法解析的内容")
    return answer
