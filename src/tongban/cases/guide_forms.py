"""The catalog's two small forms: the search box of the list and the guide's 在线申请."""

from __future__ import annotations

from django import forms


class ServiceSearchForm(forms.Form):
    q = forms.CharField(label="搜索事项", max_length=64, required=False, strip=True)


class ApplyForm(forms.Form):
    on_behalf = forms.CharField(label="代办关系", max_length=32, required=False, strip=True,
                                error_messages={"max_length": "代办关系最多 32 个字"})
    # for someone else: the id of one of one's verified relations (services.relative_for)
    relation = forms.IntegerField(label="办理对象", required=False, min_value=1,
                                  error_messages={"invalid": "请从已核实的亲属中选择办理对象",
                                                  "min_value": "请从已核实的亲属中选择办理对象"})
