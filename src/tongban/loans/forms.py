"""The window's lending form: which booking (the borrower checked in for the card
loan), which policy, the item and the purpose. The form checks shape; `lend` checks
the rules."""

from __future__ import annotations

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

from tongban.accounts.models import User
from tongban.loans import selectors

BIGGEST_ID = 2**63 - 1


class LendForm(forms.Form):
    booking = forms.IntegerField(label="预约", min_value=1, max_value=BIGGEST_ID, error_messages={
        "required": "请从预约签到页面选择借用人的预约（先签到或现场取号）再借出",
        "invalid": "预约编号无效", "min_value": "预约编号无效", "max_value": "预约编号无效"})
    policy = forms.ModelChoiceField(label="物品", queryset=None, error_messages={
        "required": "请选择借用物品", "invalid_choice": "请选择借用物品"})
    item = forms.CharField(label="具体物品", max_length=64, required=False,
                           error_messages={"max_length": "具体物品最多 64 个字"})
    purpose = forms.CharField(label="用途", max_length=128, error_messages={
        "required": "请填写借用用途", "max_length": "用途最多 128 个字"})

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
