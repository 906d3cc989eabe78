"""Locking out guessers: one count of failed sign-ins per account and per client
address, kept in the project's cache (local memory on the embedded machine, Redis when
scaled out so every app server sees one count), for every form that proves who someone
is: the login form, /admin/login/ and the binding form (ID number + student number).

django-axes does the wiring: its backend (first in AUTHENTICATION_BACKENDS) refuses a
locked account or address before any password is checked, and its signal handlers send
each failed `authenticate` here. `LockoutHandler` is the axes handler that keeps the
counts: axes' own cache handler has one limit for every parameter, and an address needs
a higher one than an account (a campus's students share a few NAT addresses). The
binding form, which authenticates no account, counts through the same functions.

When the cache fails (Redis down), sign-ins go on uncounted and the failure is logged
as an error, as sessions go on from the database (sessions.py): a cache outage must not
lock every account out.

A count lives LOGIN_LOCK_SECONDS from its first failure; reaching the limit locks until
then (or until an admin unlocks it, `unlock`), and each further failure while locked
pushes the end again. A success clears the account's count, not the address's.
"""

from __future__ import annotations

import hashlib
import logging

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.lib.errors import ApplicationError

log = logging.getLogger(__name__)

# The binding form's "account" is the student number tried, kept apart from user names.
BINDING = "bind:"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"lockout:{kind}:{digest}"


def _account(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def _count(kind: str, value: str) -> int:
    if not value:
        return 0
    try:
        return int(cache.get(_key(kind, value), 0))
    except Exception:
        log.error("lockout: cache unavailable, sign-ins are not counted", exc_info=True)
        return 0


def is_locked(*, username: str, address: str) -> bool:
    """Whether sign-ins as `username` or from `address` are refused now."""
    return (_count("account", _account(username)) >= settings.LOGIN_MAX_FAILURES
            or _count("address", address) >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS)


def _fail(kind: str, value: str) -> int:
    if not value:
        return 0
    try:
        return _add_one(_key(kind, value))
    except Exception:
        log.error("lockout: cache unavailable, sign-ins are not counted", exc_info=True)
        return 0


def _add_one(key: str) -> int:
    window = settings.LOGIN_LOCK_SECONDS
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1
    cache.touch(key, timeout=window)
    return count


def count_failure(*, username: str, address: str) -> None:
    """Count one failed attempt for the account and the address; the attempt that locks
    the account is on the trail (once per lock, not per attempt)."""
    account = _account(username)
    if _fail("account", account) == settings.LOGIN_MAX_FAILURES:
        from tongban.accounts.services import record_login_locked

        record_login_locked(username=account)
    _fail("address", address)


def clear_account(*, username: str) -> None:
    try:
        cache.delete(_key("account", _account(username)))
    except Exception:
        log.error("lockout: cache unavailable, a success did not clear its count", exc_info=True)


@transaction.atomic
def unlock(*, actor: User, username: str = "", address: str = "") -> bool:
    """An admin (role.grant) lifts a lock on an account (its sign-ins and the binding
    form tried with it as the student number) and/or a client address, at once.
    Returns whether anything was locked; on the trail either way. Refuses an actor
    without the right, and a request naming neither."""
    authorize(actor, Action.ROLE_GRANT)
    account, address = _account(username), (address or "").strip()
    if not account and not address:
        raise ApplicationError("unlock_empty", _("Enter the user name or client address to unlock."), field="username")
    keys = []
    if account:
        keys += [_key("account", account), _key("account", _account(BINDING + account))]
    if address:
        keys.append(_key("address", address))
    was_locked = any(int(cache.get(k, 0)) > 0 for k in keys)
    cache.delete_many(keys)
    target = User.objects.filter(username__iexact=account).first() if account else None
    record(actor=actor, action="account.unlock", obj=target, object_type="accounts.user",
           summary=_("Lifted the login lock on %(who)s") % {"who": account or address},
           details={"username": account, "address": address, "was_locked": was_locked})
    return was_locked


class LockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    """django-axes' handler over the counts above (AXES_HANDLER)."""

    @staticmethod
    def _who(request, credentials: dict | None) -> tuple[str, str]:
        from tongban.audit.middleware import client_ip

        username = (credentials or {}).get("username") or ""
        return str(username), (client_ip(request) if request is not None else "") or "?"

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        username, address = self._who(request, credentials)
        return is_locked(username=username, address=address)

    def get_failures(self, request, credentials: dict | None = None) -> int:
        username, address = self._who(request, credentials)
        return max(_count("account", _account(username)), _count("address", address))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        username, address = self._who(request, credentials)
        count_failure(username=username, address=address)

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        clear_account(username=user.get_username())

    def user_logged_out(self, sender, request, user, **kwargs) -> None:
        pass

    def reset_attempts(self, *, ip_address: str | None = None, username: str | None = None,
                       ip_or_username: bool = False) -> int:
        """`tongban axes_reset_username/ip` (axes' commands): unaudited, for the console."""
        keys = ([_key("account", _account(username))] if username else []) + (
            [_key("address", ip_address)] if ip_address else [])
        cache.delete_many(keys)
        return len(keys)
