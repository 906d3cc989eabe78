"""How often one may ask: a fixed window per minute, counted in the cache (shared by all
processes when it is Redis), for the signed-in user and for the address alike, so
neither a logged-in script nor many anonymous tabs flood the assistant."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from tongban.lib.errors import ApplicationError


class TooManyQuestions(ApplicationError):
    status = 429


def _over(key: str, limit: int) -> bool:
    window = int(time.time() // 60)
    key = f"assistant:rate:{key}:{window}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        return False


def check(*, user, ip: str) -> None:
    """Raise TooManyQuestions (429) once the user or the address asked too often this minute."""
    per_user = settings.ASSISTANT_RATE_PER_USER
    per_ip = settings.ASSISTANT_RATE_PER_IP
    over = False
    if user is not None and user.is_authenticated:
        over = _over(f"user:{user.pk}", per_user)
    if _over(f"ip:{ip or '-'}", per_ip) or over:
        raise TooManyQuestions("rate_limited", _("You are asking very fast; wait a minute and ask again."))


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
