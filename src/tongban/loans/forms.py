"""The window's lending form: which booking (the borrower checked in for the card
loan), which policy, the item and the purpose. The form checks shape; `lend` checks
the rules."""

from __future__ import annotations

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import User
from tongban.loans import selectors

BIGGEST_ID = 2**63 - 1


class LendForm(forms.Form):
    booking = forms.IntegerField(label=_("Booking"), min_value=1, max_value=BIGGEST_ID, error_messages={
        "required": _("Choose the borrower's booking from the booking check-in page (check in or take a walk-in "
                      "number first), then lend"),
        "invalid": _("The booking number is not valid"), "min_value": _("The booking number is not valid"),
        "max_value": _("The booking number is not valid")})
    policy = forms.ModelChoiceField(label=_("Item"), queryset=None, error_messages={
        "required": _("Please choose the item to lend"), "invalid_choice": _("Please choose the item to lend")})
    item = forms.CharField(label=_("Exact item"), max_length=64, required=False,
                           error_messages={"max_length": _("The exact item can be at most 64 characters")})
    purpose = forms.CharField(label=_("Purpose"), max_length=128, error_messages={
        "required": _("Please give the purpose of the loan"), "max_length": _("The purpose can be at most 128 "
                                                                              "characters")})

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = selectors.policies(user=user)


class ReturnForm(forms.Form):
    """Where to go back to after recording a return: a page of this site only (the list
    the button was on), never another host a forged form names."""

    back = forms.CharField(max_length=500, required=False)

    def back_to(self, request) -> str:
        if not self.is_valid():
            return ""
        back = self.cleaned_data["back"]
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure())
        return back if back and safe and back.startswith("/") else ""
