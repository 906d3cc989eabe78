"""The forms of campaigns: making or cloning one (its audience rule in plain controls), an
audience list to upload, a cohort to keep. The forms check shape; the services the rules."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.accounts.access import scope
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Action, Role
from tongban.campaigns import selectors
from tongban.catalog.selectors import published
from tongban.hukou.models import Status as HouseholdStatus
from tongban.people.models import Category

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _when(label) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, input_formats=DATETIME_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[,，、;；\s]+", text or "") if w]  # i18n: data (separators)


class TimesForm(forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=128)
    opens_at = _when(_("Opens at"))
    closes_at = _when(_("Closes at"))

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The close must come after the opening"))
        return data


class CampaignForm(TimesForm):
    item = forms.ModelChoiceField(label=_("Form (published service)"), queryset=published(),
                                  empty_label=_("Please choose"))
    instructions = forms.CharField(label=_("Instructions to recipients"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    needs_approval = forms.BooleanField(label=_("Counsellor approves each answer"), required=False)
    categories = forms.MultipleChoiceField(label=_("Person categories"), required=False, choices=Category.choices,
                                           widget=forms.CheckboxSelectMultiple)
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, choices=Role.choices,
                                      widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(label=_("Units (with all below)"), required=False,
                                           queryset=OrgUnit.objects.none())
    years = forms.CharField(label=_("Grades (year of enrolment)"), required=False, max_length=200,
                            help_text=_("E.g. 2023, 2024"))
    programmes = forms.CharField(label=_("Programmes"), required=False, max_length=500,
                                 help_text=_("Names of programme units, separated by commas"))
    household = forms.MultipleChoiceField(label=_("Household status"), required=False,
                                          choices=HouseholdStatus.choices, widget=forms.CheckboxSelectMultiple)
    cohort: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Saved cohort"), required=False, queryset=None,
                                    empty_label=_("None"))
    uses_list = forms.BooleanField(label=_("Audience from an uploaded list (upload it next)"), required=False)
    remind_hours_before = forms.IntegerField(label=_("Remind hours before the close"), min_value=0, max_value=720,
                                             initial=24, help_text=_("0: no reminder before the close"))
    remind_every_days = forms.IntegerField(label=_("Remind every (days)"), min_value=0, max_value=60, initial=0,
                                           help_text=_("0: no scheduled reminders"))

    field_order = ["name", "item", "instructions", "opens_at", "closes_at", "needs_approval", "categories", "roles",
                   "units", "years", "programmes", "household", "cohort", "uses_list", "remind_hours_before",
                   "remind_every_days"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        units, cohort = self.fields["units"], self.fields["cohort"]
        assert isinstance(units, forms.ModelMultipleChoiceField) and isinstance(cohort, forms.ModelChoiceField)
        units.queryset = scope(OrgUnit.objects.filter(is_active=True), user, Action.CAMPAIGN_MANAGE, unit_field="")
        cohort.queryset = selectors.cohorts(user=user)

    def clean_years(self) -> list[int]:
        years = []
        for word in _words(self.cleaned_data["years"]):
            if not word.isdigit() or not 1950 <= int(word) <= 2100:
                raise forms.ValidationError(_("“%(word)s” is not a year, such as 2024"), params={"word": word})
            years.append(int(word))
        return years

    def clean_programmes(self) -> list[str]:
        return _words(self.cleaned_data["programmes"])

    def rule(self) -> dict:
        data = self.cleaned_data
        return {"categories": data["categories"], "roles": data["roles"], "units": [u.pk for u in data["units"]],
                "years": data["years"], "programmes": data["programmes"], "household": data["household"]}


class ListForm(forms.Form):
    file = forms.FileField(label=_("List of ID or student numbers (.xlsx or .csv, first column)"), error_messages={
        "required": _("Choose a file to upload"), "empty": _("The file is empty")})


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Cohort name"), max_length=128)


class PeopleFilter(forms.Form):
    which = forms.ChoiceField(required=False, choices=[(w, w) for w in selectors.WHICH])
