"""Idempotency-Key on the API's POSTs (the IETF httpapi draft, as Stripe does it): a
client that did not hear the answer sends the same request again with the same key and
gets the first answer, not a second application. The same key with another body is
refused (422); while the first is still being answered, 409. An answer of 5xx, or a
refusal before the request was read (401, 403, 429), is not kept: a retry runs again.
Keys are the caller's own (a user's or a system's) and kept for `TTL`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
PREFIX = "/api/v1/"
TTL = dt.timedelta(hours=24)
MAX_KEY = 255
NOT_KEPT = {401, 403, 429}  # not signed in, not allowed (or no CSRF token), too many calls


def _refusal(status: int, code: str, message: str) -> HttpResponse:
    body = {"code": code, "message": message, "field": HEADER}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def _owner(request) -> str | None:
    """Whose key it is: the signed-in user, or the system whose bearer token it is."""
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        from oauth2_provider.models import AccessToken

        checksum = hashlib.sha256(auth.removeprefix("Bearer ").strip().encode()).hexdigest()
        application = AccessToken.objects.filter(token_checksum=checksum).values_list("application_id",
                                                                                       flat=True).first()
        return f"client:{application}" if application else None
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


def _fingerprint(request) -> str:
    """The method, the path and what was sent: the raw body, or for a multipart form its
    fields and its files' digests (a client library picks a new boundary on a retry)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name, value in sorted(request.POST.lists()):
            digest.update(json.dumps([name, value], ensure_ascii=False).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                digest.update(name.encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type or None)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(PREFIX):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY:
            return _refusal(422, "bad_idempotency_key",
                            _("The Idempotency-Key must be 1 to %(max)s characters.") % {"max": MAX_KEY})
        owner = _owner(request)
        if owner is None:  # not signed in: the handler refuses it as it would anyway
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                IdempotentRequest.objects.filter(owner=owner, key=key,
                                                 created_at__lt=timezone.now() - TTL).delete()
                row = IdempotentRequest.objects.create(owner=owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            first = IdempotentRequest.objects.filter(owner=owner, key=key).first()
            if first is None:  # the first attempt failed and gave its key up meanwhile
                return _refusal(409, "idempotency_in_progress",
                                _("A request with this Idempotency-Key is being answered; try again shortly."))
            if first.fingerprint != fingerprint:
                return _refusal(422, "idempotency_key_reused",
                                _("This Idempotency-Key was used for a different request."))
            if first.status is None:
                return _refusal(409, "idempotency_in_progress",
                                _("A request with this Idempotency-Key is being answered; try again shortly."))
            return _replay(first)
        try:
            response = self.get_response(request)
        except BaseException:
            row.delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            row.delete()  # a fault, or refused before it was read: a retry runs again
            return response
        IdempotentRequest.objects.filter(pk=row.pk).update(
            status=response.status_code, content_type=response.get("Content-Type", ""), body=response.content)
        return response
