"""Local stand-ins for the providers the outside channels call: an SMTP server
(aiosmtpd), Alibaba Cloud's Dysmsapi and WeChat's official-account API (small
`http.server` apps that check requests the way the real services document them).

Each listens on 127.0.0.1 on a port the system picks and is closed when its `with`
block ends; nothing here reaches the internet. The fakes answer from their own
implementation of each protocol (the Dysmsapi signature is recomputed here, not with
the transport's code), so a test passes only if the transport speaks the protocol."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import itertools
import json
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.controller import Controller

# --- SMTP -------------------------------------------------------------------------


class _SocketController(Controller):
    """aiosmtpd's threaded controller serving a socket bound in advance (its own
    `port=0` cannot tell which port it got)."""

    def __init__(self, handler, sock: socket.socket) -> None:
        host, port = sock.getsockname()
        super().__init__(handler, hostname=host, port=port, server_hostname="mail.test")
        self._sock = sock

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class SmtpServer:
    """An SMTP server on a reserved port. Until `start()` the port is bound but not
    listening, so a client is refused exactly as by a mail server that is down.

    `refuse` maps an SMTP command ("MAIL", "RCPT", "DATA") to the reply the server
    gives instead of accepting, e.g. {"RCPT": "550 5.1.1 User unknown"}."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.host, self.port = self._sock.getsockname()
        self.refuse: dict[str, str] = {}
        self.received: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._controller: _SocketController | None = None

    def start(self) -> None:
        self._controller = _SocketController(self, self._sock)
        self._controller.start()

    def close(self) -> None:
        if self._controller is not None:
            self._controller.stop()  # closes the socket with the server
            self._controller = None
        else:
            self._sock.close()

    def __enter__(self) -> SmtpServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # aiosmtpd handler hooks (run on the server's event loop thread)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if "MAIL" in self.refuse:
            return self.refuse["MAIL"]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "RCPT" in self.refuse:
            return self.refuse["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if "DATA" in self.refuse:
            return self.refuse["DATA"]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def use_smtp(settings, monkeypatch, server: SmtpServer) -> None:
    """Point Django's SMTP backend at `server`."""
    from django.core.mail import utils

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    # The backend greets with this machine's FQDN; looking it up may ask a DNS server.
    monkeypatch.setattr(utils.DNS_NAME, "_fqdn", "tongban.test", raising=False)


# --- HTTP -------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer(self, body: bytes) -> None:
        url = urlsplit(self.path)
        status, answer = self.server.fake.handle(
            self.command, url.path, dict(parse_qsl(url.query)), self.headers, body)
        raw = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
        length = len(raw)
        if status == "truncated":  # promise more than is sent, then hang up
            status, length = 200, len(raw) + 100
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(raw)
        if length != len(raw):
            self.close_connection = True

    def log_message(self, format, *args) -> None:  # quiet
        pass


class FakeHttpServer:
    """A threaded HTTP server on 127.0.0.1 whose answers come from `handle()`."""

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple:
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()


# --- Alibaba Cloud Dysmsapi ---------------------------------------------------------


def _java_url_encode(value: str) -> str:
    """java.net.URLEncoder.encode(value, "UTF-8"), which Alibaba's documentation starts from."""
    out = []
    for byte in value.encode():
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in ".-*_"):
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def percent_encode(value: str) -> str:
    """Alibaba's `specialUrlEncode`: URLEncoder, then "+" -> %20, "*" -> %2A, %7E -> "~"."""
    return _java_url_encode(value).replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_signature(params: dict[str, str], secret: str, method: str) -> str:
    """Signature version 1.0 as documented for Dysmsapi: the parameters (without
    Signature) sorted by name and percent-encoded into a query string; the string to
    sign is METHOD&%2F&percent_encode(query); HMAC-SHA1 keyed with secret + "&"."""
    query = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class Dysmsapi(FakeHttpServer):
    """SendSms as Dysmsapi answers it. Requests that are malformed, carry an unknown
    AccessKeyId, a stale Timestamp, a reused SignatureNonce or a signature that does
    not match the secret are refused with Alibaba's codes; the rest are answered from
    `replies` (each an (HTTP status, Code) pair, used once) or accepted.

    `accepted` holds the parameters of every message accepted for sending."""

    REQUIRED = {"AccessKeyId", "Action", "Format", "PhoneNumbers", "RegionId", "SignName", "Signature",
                "SignatureMethod", "SignatureNonce", "SignatureVersion", "TemplateCode", "Timestamp", "Version"}
    MESSAGES = {
        "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
        "isv.BUSINESS_LIMIT_CONTROL": "触发号码天级流控Permits:10",
        "InternalError": "The request processing has failed due to some unknown error.",
    }

    def __init__(self, *, access_key_id: str, access_key_secret: str) -> None:
        super().__init__()
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.replies: deque[tuple[int | str, str]] = deque()
        self.requests = 0
        self.accepted: list[dict[str, str]] = []
        self._nonces: set[str] = set()
        self._ids = itertools.count(1)

    def handle(self, method, path, query, headers, body):
        with self.lock:
            self.requests += 1
            return self._send_sms(method, path, headers, body)

    def _refuse(self, status: int, code: str, message: str) -> tuple:
        return status, {"RequestId": f"req-{next(self._ids)}", "Code": code, "Message": message,
                        "Recommend": "https://api.aliyun.com/troubleshoot"}

    def _send_sms(self, method, path, headers, body):
        if method != "POST" or path != "/":
            return self._refuse(404, "InvalidAction.NotFound", "Specified api is not found")
        if headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self._refuse(400, "MissingParameter", "form-encoded body expected")
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        params = dict(pairs)
        missing = self.REQUIRED - params.keys()
        if len(params) != len(pairs) or missing:
            return self._refuse(400, "MissingParameter", f"missing or repeated: {sorted(missing)}")
        if (params["Action"], params["Version"], params["Format"]) != ("SendSms", "2017-05-25", "JSON"):
            return self._refuse(400, "InvalidParameter", "Action/Version/Format")
        if (params["SignatureMethod"], params["SignatureVersion"]) != ("HMAC-SHA1", "1.0"):
            return self._refuse(400, "InvalidSignatureMethod", "HMAC-SHA1 1.0 expected")
        if params["AccessKeyId"] != self.access_key_id:
            return self._refuse(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        try:
            stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            return self._refuse(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        if abs(dt.datetime.now(dt.UTC) - stamp) > dt.timedelta(minutes=15):
            return self._refuse(400, "InvalidTimeStamp.Expired", "Specified time stamp or date has expired.")
        if params["SignatureNonce"] in self._nonces:
            return self._refuse(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self._nonces.add(params["SignatureNonce"])
        signature = params.pop("Signature")
        if signature != aliyun_signature(params, self.access_key_secret, "POST"):
            return self._refuse(400, "SignatureDoesNotMatch",
                                "Specified signature is not matched with our calculation.")
        if self.replies:
            status, code = self.replies.popleft()
            return self._refuse(status, code, self.MESSAGES.get(code, code))
        self.accepted.append(params)
        request_id = f"req-{next(self._ids)}"
        return 200, {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": f"900{len(self.accepted)}^0"}


# --- WeChat official account ------------------------------------------------------


class WechatApi(FakeHttpServer):
    """`/cgi-bin/token` (client_credential) and `/cgi-bin/message/template/send` as
    WeChat answers them: HTTP 200 with an errcode. A send with a token not issued (or
    revoked by `revoke_tokens()`) gets 40001; otherwise the next errcode in `errcodes`
    (used once), or the message is accepted into `sent` with a msgid."""

    ERRMSG = {
        40001: "invalid credential, access_token is invalid or not latest",
        40013: "invalid appid",
        43004: "require subscribe",
        45009: "reach max api daily quota limit",
        -1: "system error",
    }

    def __init__(self, *, app_id: str, app_secret: str, expires_in: int = 7200) -> None:
        super().__init__()
        self.app_id, self.app_secret, self.expires_in = app_id, app_secret, expires_in
        self.errcodes: deque[int] = deque()
        self.token_calls = 0
        self.send_calls = 0
        self.sent: list[dict] = []
        self._valid: set[str] = set()
        self._ids = itertools.count(1)

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working (expired, or another client took a new one)."""
        with self.lock:
            self._valid.clear()

    def _error(self, code: int) -> tuple:
        return 200, {"errcode": code, "errmsg": f"{self.ERRMSG.get(code, 'error')} rid: {next(self._ids)}"}

    def handle(self, method, path, query, headers, body):
        with self.lock:
            if method == "GET" and path == "/cgi-bin/token":
                return self._token(query)
            if method == "POST" and path == "/cgi-bin/message/template/send":
                return self._send(query, headers, body)
            return 404, b"not found"

    def _token(self, query):
        self.token_calls += 1
        if query.get("grant_type") != "client_credential":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != self.app_id:
            return self._error(40013)
        if query.get("secret") != self.app_secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = f"ACCESS_TOKEN_{self.token_calls}"
        self._valid.add(token)
        return 200, {"access_token": token, "expires_in": self.expires_in}

    def _send(self, query, headers, body):
        self.send_calls += 1
        if query.get("access_token") not in self._valid:
            return self._error(40001)
        if self.errcodes:
            return self._error(self.errcodes.popleft())
        if not headers.get("Content-Type", "").startswith("application/json"):
            return self._error(47001)
        payload = json.loads(body.decode("utf-8"))
        if not payload.get("touser") or not payload.get("template_id") or not isinstance(payload.get("data"), dict):
            return 200, {"errcode": 47001, "errmsg": "data format error"}
        self.sent.append(payload)
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": 2_000_000 + len(self.sent)}
