"""SMS: a provider template code plus parameters and a signature name, as Chinese SMS
APIs take them. `AliyunSms` speaks Alibaba Cloud's Dysmsapi `SendSms` (RPC style,
HMAC-SHA1 signature version 1.0); `FileSms`, the embedded default, appends each message
to a file so a developer can read what would have gone out."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _

from tongban.lib import http
from tongban.lib.masking import mask_phone
from tongban.notify.transports import Outgoing, Transport, TransportError

# Answers from Dysmsapi that will not change on a retry: the number, the template or
# its parameters are wrong. Everything else (flow control, balance, outages) is retried.
PERMANENT_CODES = {
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.PARAM_LENGTH_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT", "isv.INVALID_JSON_PARAM",
    "isv.TEMPLATE_PARAMS_ILLEGAL", "isv.SMS_CONTENT_ILLEGAL",
}


def _encode(value: str) -> str:
    # RFC 3986, as the signature specification requires (space as %20, "~" kept)
    return quote(value, safe="~")


def sign(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{_encode(k)}={_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{_encode('/')}&{_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms(Transport):
    channel = "sms"

    def __init__(self) -> None:
        conf = settings.NOTIFY_SMS
        self.endpoint = conf["endpoint"]
        self.key_id = conf["access_key_id"]
        self.secret = conf["access_key_secret"]
        self.sign_name = conf["sign_name"]

    def send(self, outgoing: Outgoing) -> str:
        if not outgoing.provider_template:
            raise TransportError(_("The SMS template has no provider template ID (TemplateCode)"), permanent=True)
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(outgoing.message_id),
            "PhoneNumbers": outgoing.address,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": outgoing.provider_template,
            "TemplateParam": json.dumps(outgoing.params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = sign(params, self.secret)
        body = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in params.items()).encode()
        answer = http.call(self.endpoint, data=body, content_type="application/x-www-form-urlencoded")
        code = answer.get("Code")
        if code == "OK":
            return str(answer.get("BizId", ""))
        reason = (_("The SMS provider refused: %(code)s %(message)s") % {
            "code": code, "message": answer.get("Message", "")}).strip()
        raise TransportError(reason, permanent=code in PERMANENT_CODES)


class FileSms(Transport):
    """Appends one JSON line per message to NOTIFY_SMS["file"] (phone masked)."""

    channel = "sms"

    def send(self, outgoing: Outgoing) -> str:
        path = Path(settings.NOTIFY_SMS["file"])
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"id": outgoing.message_id, "to": mask_phone(outgoing.address),
                "template": outgoing.provider_template, "params": outgoing.params,
                "sign": settings.NOTIFY_SMS["sign_name"]}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file-{outgoing.message_id}"
