from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate

from tongban.accounts import throttle
from tongban.accounts.services import record_login_locked
from tongban.audit.middleware import client_ip

# One message for every failure (unknown account, wrong password, locked, throttled
# address) so the form tells a guesser nothing.
LOGIN_FAILED = "用户名或密码不正确，或尝试次数过多，请稍后再试。"


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password") or ""
        ip = client_ip(self.request) or "unknown"
        if not username or not password:
            return self.cleaned_data
        if throttle.is_locked("login-user", username.lower()) or throttle.is_locked("login-ip", ip, limit=50):
            raise forms.ValidationError(LOGIN_FAILED, code="invalid_login")
        user = authenticate(self.request, username=username, password=password)
        if user is None or not user.is_active:
            if throttle.fail("login-user", username.lower()) == _limit():
                record_login_locked(username=username)
            throttle.fail("login-ip", ip)
            raise forms.ValidationError(LOGIN_FAILED, code="invalid_login")
        throttle.clear("login-user", username.lower())
        self.user_cache = user
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


def _limit() -> int:
    from django.conf import settings

    return settings.LOGIN_MAX_FAILURES
