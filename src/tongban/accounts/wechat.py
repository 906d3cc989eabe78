"""WeChat web authorisation (网页授权, OAuth2 with scope snsapi_base) of the official
account: inside WeChat the site learns the visitor's openid without asking them
anything, logs in the account bound to it, or offers binding.

Endpoints, as WeChat documents them: the browser is sent to
`open.weixin.qq.com/connect/oauth2/authorize?appid=…&redirect_uri=…&response_type=code
&scope=snsapi_base&state=…#wechat_redirect`; WeChat sends it back with `code` and
`state`; the server exchanges the code at `api.weixin.qq.com/sns/oauth2/access_token
?appid=…&secret=…&code=…&grant_type=authorization_code` for JSON holding `openid` (or
`errcode`/`errmsg`: 40029 invalid code, 40163 code already used, 40125 bad secret…)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from tongban.lib import http
from tongban.lib.errors import ApplicationError
from tongban.lib.http import RemoteError

IN_WECHAT = "MicroMessenger"


def configured() -> bool:
    return bool(settings.NOTIFY_WECHAT["app_id"])


def authorize_url(*, redirect_uri: str, state: str) -> str:
    query = urlencode({"appid": settings.NOTIFY_WECHAT["app_id"], "redirect_uri": redirect_uri,
                       "response_type": "code", "scope": "snsapi_base", "state": state})
    return f"{settings.WECHAT_OAUTH_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def openid_for(code: str) -> str:
    """Exchange the one-time code for the visitor's openid; ApplicationError if WeChat
    refuses it or cannot be reached (the visitor can still bind without WeChat)."""
    conf = settings.NOTIFY_WECHAT
    query = urlencode({"appid": conf["app_id"], "secret": conf["app_secret"], "code": code,
                       "grant_type": "authorization_code"})
    try:
        answer = http.call(f"{conf['api_base'].rstrip('/')}/sns/oauth2/access_token?{query}")
    except RemoteError as exc:
        raise ApplicationError("wechat_unavailable",
            _("WeChat cannot be reached for now: %(reason)s") % {"reason": exc.message}) from None
    openid = answer.get("openid")
    if not openid:
        raise ApplicationError("wechat_refused",
            _("WeChat authorisation failed (%(code)s): open the page again.") % {"code": answer.get("errcode")},
                               extra={"errcode": answer.get("errcode")})
    return str(openid)
