"""WeChat official-account template messages.

The access token comes from `/cgi-bin/token` (client_credential) and is kept in the
shared cache until shortly before it expires, so several workers share one token
instead of invalidating each other's. Sending is `/cgi-bin/message/template/send` to
the openid bound to the account. Error codes are handled as the API documents them:
an expired or invalid token is fetched again and the message retried once; an
unsubscribed user or a bad openid or template is permanent; "system busy" and quota
limits are retried later."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.lib import http
from tongban.notify.transports import Outgoing, Transport, TransportError

TOKEN_ERRORS = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
PERMANENT_ERRORS = {
    40003: gettext_lazy("invalid openid"),
    40036: gettext_lazy("invalid template ID"),
    40037: gettext_lazy("invalid template ID"),
    43004: gettext_lazy("the user does not follow the official account"),
    43101: gettext_lazy("the user refuses messages"),
    47003: gettext_lazy("wrong template parameters"),
}
EARLY = 300  # seconds: refresh the token this long before WeChat says it expires


class WechatTemplateMessage(Transport):
    channel = "wechat"

    def __init__(self) -> None:
        conf = settings.NOTIFY_WECHAT
        self.base = conf["api_base"].rstrip("/")
        self.app_id = conf["app_id"]
        self.secret = conf["app_secret"]
        self.cache_key = f"notify:wechat-token:{self.app_id}"

    def token(self, *, fresh: bool = False) -> str:
        if not fresh:
            cached = cache.get(self.cache_key)
            if cached:
                return cached
        query = urlencode({"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret})
        answer = http.call(f"{self.base}/cgi-bin/token?{query}")
        token = answer.get("access_token")
        if not token:
            # a wrong appid/secret or IP whitelist: an admin must fix the settings
            raise TransportError(_("Getting the WeChat access_token failed: %(code)s %(message)s") % {
                "code": answer.get("errcode"), "message": answer.get("errmsg", "")})
        expires_in = int(answer.get("expires_in") or 7200)
        cache.set(self.cache_key, token, timeout=max(expires_in - EARLY, 60))
        return token

    def _post(self, token: str, payload: bytes) -> dict:
        url = f"{self.base}/cgi-bin/message/template/send?{urlencode({'access_token': token})}"
        return http.call(url, data=payload, content_type="application/json; charset=utf-8")

    def send(self, outgoing: Outgoing) -> str:
        if not outgoing.provider_template:
            raise TransportError(_("The WeChat template has no template ID"), permanent=True)
        payload = {
            "touser": outgoing.address,
            "template_id": outgoing.provider_template,
            "data": {key: {"value": value} for key, value in outgoing.params.items()},
        }
        if outgoing.link:
            payload["url"] = outgoing.link
        data = json.dumps(payload, ensure_ascii=False).encode()
        answer = self._post(self.token(), data)
        if answer.get("errcode") in TOKEN_ERRORS:
            cache.delete(self.cache_key)
            answer = self._post(self.token(fresh=True), data)
        code = answer.get("errcode", 0)
        if code == 0:
            return str(answer.get("msgid", ""))
        if code in PERMANENT_ERRORS:
            raise TransportError(_("WeChat refused: %(reason)s (%(code)s)") % {"reason": PERMANENT_ERRORS[code],
                                                                               "code": code}, permanent=True)
        raise TransportError(_("WeChat is unavailable for now: %(code)s %(message)s") % {
            "code": code, "message": answer.get("errmsg", "")})


class FileWechat(Transport):
    """Embedded default: one JSON line per message in NOTIFY_WECHAT["file"]."""

    channel = "wechat"

    def send(self, outgoing: Outgoing) -> str:
        path = Path(settings.NOTIFY_WECHAT["file"])
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"id": outgoing.message_id, "template_id": outgoing.provider_template,
                "data": outgoing.params, "url": outgoing.link}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file-{outgoing.message_id}"
