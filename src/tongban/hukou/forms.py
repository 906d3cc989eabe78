"""The household pages' forms: the applicant's waiver confirmation and the office's
correction of a record. They check shape (a ticked box, lengths, a status among the
statuses); `hukou.services` checks the rules and parses the dates, naming the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.services import CORRECTABLE, DATE_FIELDS


class WaiverForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": _("The agreement has been updated: please read it again and confirm."),
        "invalid": _("The agreement has been updated: please read it again and confirm."),
        "min_value": _("The agreement has been updated: please read it again and confirm.")})
    agree = forms.BooleanField(
        widget=forms.CheckboxInput(attrs={"id": "agree"}),  # the page's tests and links name it so
        label=_("I have read and agree to the agreement above, and choose of my own will not to move "
                "my household registration into the school's collective household"),
        error_messages={"required": _("Please read the agreement and tick to agree")})


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, error_messages={
        "required": _("Please choose a household status"), "invalid_choice": _("Please choose a household status")})
    reason = forms.CharField(label=_("Reason for the correction (required)"), max_length=200, error_messages={
        "required": _("Please give the reason for the correction"),
        "max_length": _("The reason is at most 200 characters")})

    # the fields the record page offers; the form takes any correctable one posted
    SHOWN = ("status", "certificate_number", "graduation_date", "storage_expiry", "reason")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in CORRECTABLE:
            field = HouseholdRecord._meta.get_field(name)
            length = getattr(field, "max_length", None) or 10
            too_long = _("%(field)s is at most %(length)s characters") % {
                "field": field.verbose_name, "length": length}
            widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") if name in DATE_FIELDS else None
            self.fields[name] = forms.CharField(label=field.verbose_name, max_length=length, required=False,
                                                widget=widget, error_messages={"max_length": too_long})
        self.order_fields(self.SHOWN)

    @classmethod
    def for_record(cls, rec: HouseholdRecord, data=None) -> CorrectionForm:
        initial = {"status": rec.status, **{name: getattr(rec, name) or "" for name in CORRECTABLE}}
        return cls(data, initial=initial)

    def shown(self) -> list[forms.BoundField]:
        return [self[name] for name in self.SHOWN]

    def corrections(self) -> dict[str, str]:
        """The record's fields the form posted (one it did not post is left as it is)."""
        return {name: self.cleaned_data[name].strip() for name in CORRECTABLE if name in self.data}


class _Ids(forms.MultipleChoiceField):
    """Ticked record ids: any run of digits (the records are checked against the
    caller's reach by the batch itself)."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class BatchForm(forms.Form):
    """The batch buttons over the list: which action, and the ticked records (the
    list's filters travel beside them and are read by `selectors.Filters`)."""

    kind = forms.ChoiceField(label=_("Batch action"), choices=(), error_messages={
        "required": _("Unknown batch action"), "invalid_choice": _("Unknown batch action")})
    selected = _Ids(label=_("Selected people"), required=False)

    def __init__(self, *args, **kwargs):
        from tongban.hukou.models import BatchJob

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = BatchJob.Kind.choices

    def first_error(self) -> str:
        return str(next(iter(e for errors in self.errors.values() for e in errors)))
