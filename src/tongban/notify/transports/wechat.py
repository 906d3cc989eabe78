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

from tongban.lib import http
from tongban.notify.transports import Outgoing, Transport, TransportError

TOKEN_ERRORS = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
PERMANENT_ERRORS = {
    40003: "openid 无效",
    40036: "模板 ID 无效",
    40037: "模板 ID 无效",
    43004: "用户未关注公众号",
    43101: "用户拒绝接收消息",
    47003: "模板参数不正确",
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
            raise TransportError(f"获取微信 access_token 失败：{answer.get('errcode')} {answer.get('errmsg', '')}")
        expires_in = int(answer.get("expires_in") or 7200)
        cache.set(self.cache_key, token, timeout=max(expires_in - EARLY, 60))
        return token

    def _post(self, token: str, payload: bytes) -> dict:
        url = f"{self.base}/cgi-bin/message/template/send?{urlencode({'access_token': token})}"
        return http.call(url, data=payload, content_type="application/json; charset=utf-8")

    def send(self, outgoing: Outgoing) -> str:
        if not outgoing.provider_template:
            raise TransportError("微信模板未填写模板 ID", permanent=True)
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
            raise TransportError(f"微信拒绝：{PERMANENT_ERRORS[code]}（{code}）", permanent=True)
        raise TransportError(f"微信暂时不可用：{code} {answer.get('errmsg', '')}")


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
