"""Authentication backends (AUTHENTICATION_BACKENDS)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """axes' backend, refusing a locked account or address before the password is
    checked (accounts/lockout.py). Without a request (the shell, the test client's
    `login`) there is no address and no form to lock: it stands aside there instead
    of failing the call. Every login form of the site passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
