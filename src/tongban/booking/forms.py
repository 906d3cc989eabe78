"""The window's forms: a walk-in found by student/staff number, ID number or name and
phone (posted, never in a URL), and a station's extra hours for a date range. The
forms check shape; the services check the rules."""

from __future__ import annotations

from django import forms

from tongban.people import idnumber

BIGGEST_ID = 2**63 - 1


def _id(label: str, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=BIGGEST_ID, required=required, error_messages={
        "required": f"请选择{label}", "invalid": f"请选择{label}", "min_value": f"请选择{label}",
        "max_value": f"请选择{label}"})


class WalkInForm(forms.Form):
    resource = _id("窗口")
    service = _id("事项", required=False)
    who = forms.CharField(label="学号/工号或身份证号", max_length=32, required=False,
                          error_messages={"max_length": "学号/工号或身份证号最多 32 位"})
    name = forms.CharField(label="姓名", max_length=64, required=False,
                           error_messages={"max_length": "姓名最多 64 个字"})
    phone = forms.CharField(label="手机号", max_length=20, required=False,
                            error_messages={"max_length": "手机号最多 20 位"})

    def clean(self):
        data = super().clean()
        who, name, phone = (data.get(k, "").strip() for k in ("who", "name", "phone"))
        if who:
            return data
        if name and phone:
            return data
        if name or phone:
            self.add_error("phone" if name else "name", "按姓名查找时须同时填写姓名和手机号")
        else:
            self.add_error("who", "请填写学号/工号或身份证号，或填写姓名和手机号")
        return data

    @property
    def id_number(self) -> str:
        """The whole ID number typed into `who`, normalised, or ""."""
        text = idnumber.normalise(self.cleaned_data.get("who", ""))
        return text if len(text) == 18 and text[:17].isdigit() else ""


class ExtraHoursForm(forms.Form):
    first = forms.DateField(label="开始日期", error_messages={"required": "请填写开始日期",
                                                            "invalid": "开始日期无效"})
    last = forms.DateField(label="结束日期", error_messages={"required": "请填写结束日期",
                                                           "invalid": "结束日期无效"})
    start = forms.TimeField(label="每天开始", error_messages={"required": "请填写每天开始时间",
                                                            "invalid": "开始时间无效"})
    end = forms.TimeField(label="每天结束", error_messages={"required": "请填写每天结束时间",
                                                          "invalid": "结束时间无效"})
    working_days_only = forms.BooleanField(label="仅工作日", required=False)
    note = forms.CharField(label="说明", max_length=64, required=False,
                           error_messages={"max_length": "说明最多 64 个字"})
