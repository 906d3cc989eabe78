from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

# One message for every failure (unknown account, wrong password, locked account or
# address: accounts/lockout.py through django-axes' backend) so the form tells a
# guesser nothing.
LOGIN_FAILED = _("The user name or password is wrong, or there were too many attempts; try again later.")


class NextField(forms.Form):
    """Where to go afterwards, carried through a form that may be shown again; only a
    URL of this site is followed (accounts.views._next)."""

    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class LoginForm(NextField):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password") or ""
        if not username or not password:
            return self.cleaned_data
        # A locked account or address is refused by axes' backend before the password
        # is checked, and every failure is counted by its signal handler.
        user = authenticate(self.request, username=username, password=password)
        if user is None or not user.is_active:
            raise forms.ValidationError(LOGIN_FAILED, code="invalid_login")
        self.user_cache = user
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class TokenForm(NextField):
    token = forms.CharField(label=_("Code"), max_length=32, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update(autocomplete="one-time-code", inputmode="text", autofocus=True)


class UnlockForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150, required=False)
    address = forms.GenericIPAddressField(label=_("Client address"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("username") and not data.get("address"):
            raise forms.ValidationError(_("Enter the user name or client address to unlock."), code="unlock_empty")
        return data
