"""The catalog's two small forms: the search box of the list and the guide's 在线申请 (apply online)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ServiceSearchForm(forms.Form):
    q = forms.CharField(label=_("Search services"), max_length=64, required=False, strip=True)


PICK_A_RELATIVE = _("Choose the person applied for among your verified relatives")


class ApplyForm(forms.Form):
    on_behalf = forms.CharField(label=_("Relation applied for"), max_length=32, required=False, strip=True,
                                error_messages={"max_length": _("The relation can be at most 32 characters")})
    # for someone else: the id of one of one's verified relations (services.relative_for)
    relation = forms.IntegerField(label=_("Person applied for"), required=False, min_value=1,
                                  error_messages={"invalid": PICK_A_RELATIVE, "min_value": PICK_A_RELATIVE})
