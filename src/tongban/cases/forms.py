"""The applicant's form, built from a frozen configuration: only the fields visible
for the current answers are shown; values come back as text for the service to check."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from tongban.cases.forms_runtime import visible_fields
from tongban.catalog.models import FieldType

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
            field = forms.ChoiceField(choices=[("", "请选择"), *[(o, o) for o in spec["options"]]], **common)
        elif spec["type"] == FieldType.YESNO:
            field = forms.ChoiceField(choices=[("是", "是"), ("否", "否")], widget=forms.RadioSelect, **common)
        else:
            field = forms.CharField(widget=WIDGETS.get(spec["type"], forms.TextInput()), **common)
        field.widget.attrs["data-required"] = "1" if spec["required"] else "0"
        if spec["key"] in locked:
            field.disabled = True
            field.help_text = "取自人员登记信息，不能修改；如有误请联系办理单位更正登记信息"
        form.fields[spec["key"]] = field
    return form


class DelegationForm(forms.Form):
    """Whom to hand one's work to, and for which days (the service checks the rules)."""

    to = forms.ModelChoiceField(label="受托同事", queryset=None, empty_label="请选择", error_messages={
        "required": "请选择受托同事", "invalid_choice": "请选择本单位相同角色的同事"})
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"required": "请填写开始日期", "invalid": "开始日期格式不正确"})
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": "请填写结束日期", "invalid": "结束日期格式不正确"})

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates
        self.fields["to"].label_from_instance = str

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class WorkForm(forms.Form):
    """Claiming or deciding one work item; the service checks who may and the rules."""

    claim = forms.BooleanField(required=False)
    outcome = forms.ChoiceField(required=False, choices=[("", "")], error_messages={
        "invalid_choice": "请选择办理结果"})
    comment = forms.CharField(required=False, max_length=2000, error_messages={
        "max_length": "意见不能超过 %(limit_value)d 字"})
    sign = forms.BooleanField(required=False)

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", ""), *outcomes]


class AcceptanceForm(forms.Form):
    """Accepting (with deficiencies), refusing or returning a submitted case."""

    decision = forms.ChoiceField(choices=[("accept", "受理"), ("refuse", "不予受理"), ("return", "退回补正")],
                                 error_messages={"required": "请选择受理结果", "invalid_choice": "请选择受理结果"})
    reason = forms.CharField(required=False, max_length=2000, error_messages={
        "max_length": "意见或理由不能超过 %(limit_value)d 字"})
    deficient = forms.MultipleChoiceField(required=False, choices=[], error_messages={
        "invalid_choice": "没有这项材料"})

    def __init__(self, *args, materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deficient"].choices = [(m["key"], m["name"]) for m in materials]


def first_error(form: forms.Form) -> str:
    """The first message of an invalid form, for pages that answer with a redirect."""
    return next(str(e) for errors in form.errors.values() for e in errors)
