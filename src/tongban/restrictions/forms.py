"""The restriction page's forms: restrict someone by hand (found by student/staff
number within the admin's reach), and lift a restriction with a reason. The forms
check shape; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.restrictions.models import Blocks


class ImposeForm(forms.Form):
    student_number = forms.CharField(label=_("Student/staff number"), max_length=32, error_messages={
        "required": _("Please give the student/staff number"),
        "max_length": _("The student/staff number can be at most 32 characters")})
    reason = forms.CharField(label=_("Reason"), max_length=255, error_messages={
        "required": _("Please give the reason for the restriction"),
        "max_length": _("The reason can be at most 255 characters")})
    blocks = forms.ChoiceField(label=_("Restricted from"), choices=Blocks.choices, initial=Blocks.BOTH,
                               error_messages={"required": _("Please choose what is restricted"),
                                               "invalid_choice": _("Please choose what is restricted")})


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason for lifting"), max_length=255, error_messages={
        "required": _("Please give the reason for lifting"),
        "max_length": _("The reason can be at most 255 characters")})
