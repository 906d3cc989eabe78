"""The inbox's and the preferences page's forms. They check shape; `notify.services`
checks the rules (a mandatory kind keeps its channels), naming the kind."""

from __future__ import annotations

from django import forms

from tongban.notify import events
from tongban.notify.events import Channel


class MarkReadForm(forms.Form):
    """One message (`id`) or, without one, all of them; `next` is where a message's
    link leads once read (a path on this site only)."""

    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_next(self) -> str:
        target = self.cleaned_data["next"]
        return target if target.startswith("/") and not target.startswith("//") else ""


class PreferencesForm(forms.Form):
    """A box per kind of message and channel, named `kind:channel`; a locked box (the
    inbox, a mandatory kind's defaults) is posted as a hidden field by the page."""

    def __init__(self, *args, lines: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            kind = line["kind"]
            for c in line["channels"]:
                self.fields[self.name(kind.key, c["key"])] = forms.BooleanField(
                    required=False, initial=c["on"], label=f"{kind.label} · {c['label']}")

    @staticmethod
    def name(kind: str, channel: str) -> str:
        return f"{kind}:{channel}"

    def chosen(self, kind: str) -> list[str]:
        return [c for c in Channel.ALL if self.cleaned_data.get(self.name(kind, c))]

    def kind_field(self, kind: str) -> str:
        """The field a refusal about the kind is shown next to: its first box."""
        return self.name(kind, Channel.ALL[0])

    def rows(self) -> list[dict]:
        """The table the page draws: per kind its boxes, bound to what was posted, and
        the errors about the kind."""
        rows = []
        for line in self.lines:
            kind = line["kind"]
            cells = [{"field": self[self.name(kind.key, c["key"])], **c} for c in line["channels"]]
            rows.append({"kind": kind, "cells": cells,
                         "errors": self.errors.get(self.kind_field(kind.key), [])})
        return rows

    def kinds(self) -> list[events.Kind]:
        return [line["kind"] for line in self.lines]
