from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.lib.errors import ApplicationError
from tongban.people.binding import check_password


class BindForm(forms.Form):
    """The binding form's shape; whether the pair matches is the service's to say."""

    id_number = forms.CharField(label=_("ID number"), max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    student_number = forms.CharField(label=_("Student or staff number"), max_length=32)
    password = forms.CharField(label=_("Choose a password"), strip=False, required=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, with_password: bool, **kwargs):
        kwargs.setdefault("auto_id", "%s")  # the fields' ids as the pages and browser tests know them
        super().__init__(*args, **kwargs)
        self.with_password = with_password
        if with_password:
            self.fields["password"].required = True
        else:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        try:
            check_password(password)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return password
