"""The applicant's form, built from a frozen configuration: only the fields visible
for the current answers are shown; values come back as text for the service to check.
It lives with the form runtime in catalog, below cases, since the catalog's preview shows it too."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext as _

from tongban.catalog.forms_runtime import clean_value, visible_fields
from tongban.catalog.models import FieldType
from tongban.lib.errors import ApplicationError

WIDGETS = {
    FieldType.DATE: forms.DateInput(attrs={"type": "date"}),
    FieldType.NUMBER: forms.TextInput(attrs={"inputmode": "decimal"}),
    FieldType.PHONE: forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    FieldType.ID_NUMBER: forms.TextInput(attrs={"autocomplete": "off"}),
    FieldType.ADDRESS: forms.Textarea(attrs={"rows": 2}),
}


def application_form(config: dict, answers: dict, data=None, *, locked: Iterable[str] = ()) -> forms.Form:
    """`locked`: the fields the person record fixes (services.identity_keys), shown as
    they are and never sent back (the service refuses a change anyway)."""
    locked = set(locked)
    form = forms.Form(data=data, initial=answers)
    for spec in visible_fields(config, answers):
        if spec["type"] == FieldType.FILE:
            continue
        common = {"label": spec["label"], "required": False, "help_text": spec["help"]}
        if spec["type"] == FieldType.CHOICE:
            field = forms.ChoiceField(choices=[("", _("Please choose")), *[(o, o) for o in spec["options"]]], **common)
        elif spec["type"] == FieldType.YESNO:
            # the stored answers are 是/否 in every language (conditions compare them)
            field = forms.ChoiceField(choices=[("是", _("Yes")), ("否", _("No"))],  # i18n: data
                                      widget=forms.RadioSelect, **common)
        else:
            field = forms.CharField(widget=WIDGETS.get(spec["type"], forms.TextInput()), **common)
        field.widget.attrs["data-required"] = "1" if spec["required"] else "0"
        if spec["key"] in locked:
            field.disabled = True
            field.help_text = _("Taken from the person record and cannot be changed; if it is wrong, ask the handling "
                                 "unit to correct the record")
        form.fields[spec["key"]] = field
    return form


class PreviewAnswersForm(forms.Form):
    """The answers a service admin tries in the preview, each checked as an application's
    would be (forms_runtime.clean_value). Only the fields posted are answers, so a field
    left out keeps no value a condition could see; `answers` holds the good ones."""

    def __init__(self, config: dict, data=None):
        super().__init__(data)
        self.config = config
        for spec in config["fields"]:
            if spec["type"] != FieldType.FILE:
                self.fields[spec["key"]] = forms.CharField(required=False, strip=False)
        self.answers: dict = {}

    def clean(self):
        for spec in self.config["fields"]:
            key = spec["key"]
            if key not in self.fields or key not in self.data:
                continue
            try:
                self.answers[key] = clean_value(spec, self.cleaned_data.get(key, ""))
            except ApplicationError as exc:
                self.add_error(key, exc.message)
        return self.cleaned_data
