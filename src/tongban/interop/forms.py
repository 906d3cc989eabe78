from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import OrgUnit
from tongban.interop.models import ApiClient
from tongban.interop.scopes import Scope
from tongban.interop.services import MAX_OVERLAP_HOURS


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Name of the system"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ApiClient.Kind.choices)
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(label=_("Data scope (units, with their sub-units)"),
                                           queryset=OrgUnit.objects.order_by("path"), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 8}))
    rate_per_minute = forms.IntegerField(label=_("Calls per minute"), min_value=1, max_value=100_000,
                                         initial=600)


class RotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        label=_("Hours the old secret keeps working"), min_value=0, max_value=MAX_OVERLAP_HOURS, initial=24)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


def _event_type_choices():
    from tongban.interop.events import SUBSCRIBABLE

    return [(t, t) for t in SUBSCRIBABLE]


class SubscribeForm(forms.Form):
    url = forms.URLField(label=_("Receiving URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(label=_("Event types"), choices=_event_type_choices,
                                            widget=forms.CheckboxSelectMultiple)


class ReplayForm(forms.Form):
    deliveries = forms.ModelMultipleChoiceField(label=_("Deliveries"), queryset=None)

    def __init__(self, *args, within, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliveries"].queryset = within


class PushTargetForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service whose results are pushed"), queryset=None)
    url = forms.URLField(label=_("Receiving URL"), max_length=500, assume_scheme="https")
    fields = forms.CharField(label=_("Answers sent (form field keys, separated by commas)"), required=False,
                             max_length=500)

    def __init__(self, *args, **kwargs):
        from tongban.catalog.models import ServiceItem

        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = ServiceItem.objects.filter(effect="interop.push").order_by("code")

    def clean_fields(self):
        text = self.cleaned_data["fields"].replace("，", ",")  # i18n: data (a full-width comma typed)
        return [key.strip() for key in text.split(",") if key.strip()]
