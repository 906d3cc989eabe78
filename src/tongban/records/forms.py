from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.records.models import Capture

DIGEST = re.compile(r"^[0-9a-fA-F]{64}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PagesField(forms.FileField):
    """Several files in one field, in the order they were sent."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else single(data, initial)


class _Pages(forms.Form):
    pages = PagesField(label=_("Pages"),
                       widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
    device = forms.CharField(label=_("Device"), max_length=200, required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("Source"), choices=Capture.Source.choices, initial=Capture.Source.UPLOAD,
                               widget=forms.HiddenInput)
    digests = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_digests(self) -> list[str]:
        value = [d.strip() for d in self.cleaned_data["digests"].split(",") if d.strip()]
        if not all(DIGEST.match(d) for d in value):
            raise forms.ValidationError(_("The page digests are malformed"))
        return value


class CaptureForm(_Pages):
    item = forms.CharField(label=_("Capture item"), max_length=64, widget=forms.HiddenInput)


class HistoricalForm(_Pages):
    title = forms.CharField(label=_("Paper captured"), max_length=128,
                            help_text=_("E.g. 1998 household register page, move-in certificate"))
