"""Booking's forms: the applicant's booking and rescheduling (a slot chosen by its
button), and the window's walk-in (found by student/staff number, ID number or name
and phone, posted, never in a URL), cancellation with a reason and extra hours for a
date range. The forms check shape; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.people import idnumber

BIGGEST_ID = 2**63 - 1


def _id(label, message, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=BIGGEST_ID, required=required, error_messages={
        "required": message, "invalid": message, "min_value": message, "max_value": message})


class _LenientId(forms.CharField):
    """An optional id carried along by a hidden input (the application a booking is
    for, the window shown): garbage reads as none, it is no fault of the user's."""

    def to_python(self, value):
        text = str(super().to_python(value) or "").strip()
        return int(text) if text.isdigit() and int(text) <= BIGGEST_ID else None


class BookForm(forms.Form):
    """One slot of the resource (its button), for a service, maybe for an application."""

    slot = _id(_("Time slot"), _("Please choose a time slot."))
    service = _id(_("Service"), _("Please choose the service to apply for."), required=False)
    case = _LenientId(required=False)


class RescheduleForm(forms.Form):
    """The new slot, at the window shown (the booking's own by default)."""

    slot = _id(_("Time slot"), _("Please choose a time slot."))
    resource = _LenientId(required=False)


class CancelForm(forms.Form):
    """The window cancels a booking: why, told to the applicant."""

    reason = forms.CharField(label=_("Reason for cancelling"), max_length=255, error_messages={
        "required": _("Please give the reason for cancelling"),
        "max_length": _("The reason can be at most 255 characters")})


class WalkInForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Window"), queryset=None, widget=forms.HiddenInput, error_messages={
        "required": _("Please choose a window"), "invalid_choice": _("Please choose a window")})
    service = _id(_("Service"), _("Please choose a service"), required=False)
    who = forms.CharField(label=_("Student/staff number or ID number"), max_length=32, required=False,
                          widget=forms.TextInput(attrs={"autocomplete": "off"}),
                          error_messages={"max_length": _("Student/staff number or ID number: at most 32 characters")})
    name = forms.CharField(label=_("Name"), max_length=64, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}),
                           error_messages={"max_length": _("Name: at most 64 characters")})
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
                            error_messages={"max_length": _("Mobile number: at most 20 digits")})

    def __init__(self, *args, resources=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources

    def clean(self):
        data = super().clean()
        who, name, phone = (data.get(k, "").strip() for k in ("who", "name", "phone"))
        if who:
            return data
        if name and phone:
            return data
        if name or phone:
            self.add_error("phone" if name else "name",
                           _("To search by name, give both the name and the mobile number"))
        else:
            self.add_error("who", _("Give the student/staff number or ID number, or the name and mobile number"))
        return data

    @property
    def id_number(self) -> str:
        """The whole ID number typed into `who`, normalised, or ""."""
        text = idnumber.normalise(self.cleaned_data.get("who", ""))
        return text if len(text) == 18 and text[:17].isdigit() else ""


class ExtraHoursForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Window"), queryset=None, widget=forms.HiddenInput, error_messages={
        "required": _("Please choose a window"), "invalid_choice": _("Please choose a window")})
    first = forms.DateField(label=_("First date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            error_messages={"required": _("Please give the first date"),
                                            "invalid": _("The first date is not valid")})
    last = forms.DateField(label=_("Last date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": _("Please give the last date"),
                                           "invalid": _("The last date is not valid")})
    start = forms.TimeField(label=_("Daily start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                            error_messages={"required": _("Please give the daily start time"),
                                            "invalid": _("The start time is not valid")})
    end = forms.TimeField(label=_("Daily end"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                          error_messages={"required": _("Please give the daily end time"),
                                          "invalid": _("The end time is not valid")})
    working_days_only = forms.BooleanField(label=_("Working days only"), required=False)
    note = forms.CharField(label=_("Note"), max_length=64, required=False,
                           error_messages={"max_length": _("The note can be at most 64 characters")})

    def __init__(self, *args, resources=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
