"""The forms of cases: the application page's controls, an upload, withdrawing; and the
staff's acceptance, deciding work, delegation. The form checks the shape of what was
sent; the service checks the rules (its refusal: lib.forms.add_service_error).

The answers themselves are the service's own form (catalog.forms_runtime): the page
posts them under the fields' keys, and `posted_answers` picks them out for the service,
which checks each value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.catalog.forms_runtime import field_keys

CARRIED = "answer__"  # the prefix site.js gives the answers an upload carries along


def posted_answers(data: Mapping[str, str], config: dict) -> dict[str, str]:
    """The answers among the posted fields: those of the service's form, as sent."""
    keys = field_keys(config)
    return {k: v for k, v in data.items() if k in keys}


def carried_answers(data: Mapping[str, str], config: dict) -> dict[str, str]:
    """The answers an upload or a removal carries along from the edit page (site.js
    names them `answer__<key>`), so that a reload after it never loses what was typed."""
    keys = field_keys(config)
    return {name.removeprefix(CARRIED): value for name, value in data.items()
            if name.startswith(CARRIED) and name.removeprefix(CARRIED) in keys}


class EditControls(forms.Form):
    """The application page's own fields beside the answers: which button was pressed
    (none: an htmx autosave), and the fields and materials the page showed (so that a save
    that shows the same ones need not redraw them)."""

    action = forms.ChoiceField(required=False, choices=[("", ""), ("save", _("Save draft")),
                                                        ("submit", _("Submit application"))],
                               error_messages={"invalid_choice": _("Press Save draft or Submit application")})
    _shown = forms.CharField(required=False)
    _materials = forms.CharField(required=False)

    @property
    def submitting(self) -> bool:
        return self.is_valid() and self.cleaned_data["action"] == "submit"

    def shows(self, fields: Iterable[str]) -> bool:
        return self.is_valid() and self.cleaned_data["_shown"] == ",".join(fields)

    def shows_materials(self, keys: Iterable[str]) -> bool:
        return self.is_valid() and self.cleaned_data["_materials"] == ",".join(keys)


class UploadForm(forms.Form):
    """One file for one of the case's materials; which page sent it (`back`)."""

    material = forms.ChoiceField(label=_("Material"), error_messages={
        "required": _("Choose the material the file is for"),
        "invalid_choice": _("This service asks for no such material")})
    file = forms.FileField(label=_("File"), error_messages={
        "required": _("Choose a file to upload"), "empty": _("The file is empty"),
        "invalid": _("Choose a file to upload")})
    back = forms.ChoiceField(required=False, choices=[("", ""), ("detail", "")])

    def __init__(self, *args, materials: Iterable[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [(m["key"], m["name"]) for m in materials]

    @property
    def material_key(self) -> str:
        """The material the file was sent for, as sent (to show the errors beside it)."""
        return str(self.data.get("material", ""))

    @property
    def to_detail(self) -> bool:
        return self.data.get("back") == "detail"


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing (optional)"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}), error_messages={
                                 "max_length": _("The reason cannot be longer than %(limit_value)d characters")})


class DelegationForm(forms.Form):
    """Whom to hand one's work to, and for which days (the service checks the rules)."""

    to = forms.ModelChoiceField(label=_("Colleague to act for you"), queryset=None, empty_label=_("Please choose"),
                                error_messages={
                                    "required": _("Choose the colleague to act for you"),
                                    "invalid_choice": _("Choose a colleague of your unit with the same role")})
    start = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"required": _("Enter the start date"),
                                            "invalid": _("The start date is not a valid date")})
    end = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": _("Enter the end date"),
                                          "invalid": _("The end date is not a valid date")})

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates
        self.fields["to"].label_from_instance = str

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date cannot be before the start date"))
        return data


class WorkForm(forms.Form):
    """Claiming or deciding one work item; the service checks who may and the rules."""

    claim = forms.BooleanField(required=False)
    outcome = forms.ChoiceField(required=False, choices=[("", "")], error_messages={
        "invalid_choice": _("Choose the outcome")})
    comment = forms.CharField(label=pgettext_lazy("opinion", "Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}), error_messages={
                                  "max_length": _("The comment cannot be longer than %(limit_value)d characters")})
    sign = forms.BooleanField(label=_("Affix the electronic seal"), required=False)

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", ""), *outcomes]


class AcceptanceForm(forms.Form):
    """Accepting (with deficiencies), refusing or returning a submitted case."""

    decision = forms.ChoiceField(
        choices=[("accept", pgettext_lazy("acceptance", "Accept")), ("refuse", _("Refuse to accept")),
                 ("return", _("Return for correction"))],
        error_messages={"required": _("Choose the result of acceptance"),
                        "invalid_choice": _("Choose the result of acceptance")})
    reason = forms.CharField(label=_("Comment / reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}), error_messages={
                                 "max_length": _("The comment or reason cannot be longer than %(limit_value)d "
                                                 "characters")})
    deficient = forms.MultipleChoiceField(
        required=False, choices=[],
        label=_("Accept with deficiency (a non-core material missing or unsatisfactory, to be supplied later)"),
        error_messages={"invalid_choice": _("There is no such material")})

    def __init__(self, *args, materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deficient"].choices = [(m["key"], m["name"]) for m in materials]
