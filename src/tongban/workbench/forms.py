"""The workbench's forms: what staff post is parsed and checked here, the rules are the
services' (people.services, people.jobs)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.people.services import UNMASKABLE


class PeopleSearchForm(forms.Form):
    """The people search (posted when it holds a whole ID number, so that number stays
    out of URLs; a GET otherwise). Nothing in it is refused: a bad unit means all units."""

    q = forms.CharField(required=False)
    unit = forms.CharField(required=False)
    category = forms.CharField(required=False)

    def clean_unit(self) -> int | None:
        try:
            return int(self.cleaned_data["unit"] or 0) or None
        except ValueError:
            return None


class UnmaskForm(forms.Form):
    """Which number of a person to see whole, and why (the reason goes on the trail)."""

    field = forms.ChoiceField(
        label=_("Number"), choices=lambda: list(UNMASKABLE.items()),
        error_messages={"required": _("Only the ID number or the phone number can be seen."),
                        "invalid_choice": _("Only the ID number or the phone number can be seen.")})
    reason = forms.CharField(
        label=_("Reason for viewing (required, recorded in the audit trail)"), max_length=200,
        error_messages={"required": _("Please give the reason for viewing the whole number.")})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class ImportForm(forms.Form):
    """A file of people to import, and whether only to check it."""

    file = forms.FileField(
        label=_("Choose a file"), widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": _("Please choose the file to import.")})
    dry_run = forms.BooleanField(label=_("Only check, do not write"), required=False,
                                 widget=forms.CheckboxInput(attrs={"style": "width:auto"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
