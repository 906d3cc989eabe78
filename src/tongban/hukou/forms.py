"""The office's correction form for a household record. It checks shape (lengths, a
status among the statuses); `hukou.services.correct` checks the rules and parses the
dates, naming the field."""

from __future__ import annotations

from django import forms

from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.services import CORRECTABLE


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=Status.choices,
                               error_messages={"required": "请选择户口状态", "invalid_choice": "请选择户口状态"})
    reason = forms.CharField(label="更正原因", max_length=200, error_messages={
        "required": "请填写更正原因", "max_length": "更正原因最多 200 个字"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in CORRECTABLE:
            field = HouseholdRecord._meta.get_field(name)
            length = getattr(field, "max_length", None) or 10
            too_long = f"{field.verbose_name}最多 {length} 个字"
            self.fields[name] = forms.CharField(label=field.verbose_name, max_length=length, required=False,
                                                error_messages={"max_length": too_long})

    def corrections(self) -> dict[str, str]:
        """The record's fields the form posted (one it did not post is left as it is)."""
        return {name: self.cleaned_data[name].strip() for name in CORRECTABLE if name in self.data}
