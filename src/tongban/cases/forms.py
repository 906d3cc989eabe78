"""The staff's forms of cases: delegation, deciding work, acceptance."""

from __future__ import annotations

from django import forms


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
