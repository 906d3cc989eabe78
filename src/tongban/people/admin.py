from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongban.lib import crypto
from tongban.lib.admin import ReadOnlyAdmin
from tongban.lib.errors import ApplicationError
from tongban.people import idnumber
from tongban.people.models import Person, Relation
from tongban.people.selectors import is_whole_id_number, people
from tongban.people.services import add_relation, relation_refusal, verify_relation


class IdNumberSearch(forms.Form):
    """The person list's search by a whole ID number, posted so the number stays out of URLs."""

    BUTTON = "id_number_search"  # the submit button's name: which of the list's forms was posted

    id_number = forms.CharField(label=_("Find by ID number (the number stays out of URLs and access logs)"),
                                max_length=20, error_messages={"required": _("Enter the whole 18-digit ID number.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(id="id_number_search", autocomplete="off")

    @classmethod
    def posted(cls, request) -> bool:
        return request.method == "POST" and cls.BUTTON in request.POST

    def clean_id_number(self):
        number = idnumber.normalise(self.cleaned_data["id_number"])
        if not is_whole_id_number(number):
            raise forms.ValidationError(_("Enter the whole 18-digit ID number."), code="not_whole")
        return number


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Read-only here: people change through imports and services, which audit them.

    A whole ID number is searched by a form that posts (admin/people/person/
    change_list.html) and found through the blind index, so it never travels in a URL
    (access logs, history, Referer); the GET search box takes names and numbers only."""

    list_display = ("name", "id_number_masked", "student_number", "org_unit", "category", "account")
    list_filter = ("category", "org_unit")
    search_fields = ("name", "student_number")
    change_list_template = "admin/people/person/change_list.html"

    def changelist_view(self, request, extra_context=None):
        here = reverse("admin:people_person_changelist")
        form = IdNumberSearch()
        if IdNumberSearch.posted(request):
            if not self.has_view_or_change_permission(request):
                return super().changelist_view(request, extra_context)
            form = IdNumberSearch(request.POST)
            if not form.is_valid():
                # the list again, the error next to the field and the input kept (in the page, not a URL)
                context = {**(extra_context or {}), "id_number_form": form}
                response = super().changelist_view(request, context)
                response.status_code = 400
                return response
            number = form.cleaned_data["id_number"]
            found = Person.objects.filter(id_number_index=crypto.blind_index(number, purpose="id"))
            pks = ",".join(str(pk) for pk in found.values_list("pk", flat=True)) or "0"
            return redirect(f"{here}?id__in={pks}")
        if is_whole_id_number(request.GET.get("q", "")):
            self.message_user(request, _("Search for an ID number with the form below, not in the address."),
                              messages.WARNING)
            return redirect(here)
        return super().changelist_view(request, {**(extra_context or {}), "id_number_form": form})


@admin.register(Relation)
class RelationAdmin(admin.ModelAdmin):
    """Relatives a person's account may apply for. Recorded (and, with the proof seen,
    verified) through `add_relation`, verified later through `verify_relation`, both on
    the trail; never changed or deleted here. Lists the relations of the people the
    user may see."""

    list_display = ("person", "kind", "relative", "source", "verified_at", "verified_by")
    list_filter = ("kind", "source")
    search_fields = ("person__name", "person__student_number", "relative__name")
    autocomplete_fields = ("person", "relative")
    fields = ("person", "kind", "relative", "verified")
    actions = ("verify",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(person__in=people(user=request.user)).select_related(
            "person", "relative", "verified_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        admin_request = request

        class Checked(forms.ModelForm):
            verified = forms.BooleanField(label=_("Verified (proof of the relation seen)"), required=False)

            class Meta:
                model = Relation
                fields = ("person", "kind", "relative")

            def clean(self):
                data = super().clean()
                refusal = relation_refusal(actor=admin_request.user, person=data.get("person"),
                                           relative=data.get("relative"), kind=data.get("kind", ""))
                if refusal is not None:
                    raise forms.ValidationError({refusal.field if refusal.field in self.fields else "__all__":
                                                 refusal.message})
                return data

        kwargs["form"] = Checked
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = add_relation(actor=request.user, person=data["person"], relative=data["relative"],
                             kind=data["kind"], verified=data["verified"])
        obj.pk = saved.pk

    @admin.action(description=_("Verify the selected relations (proof seen)"))
    def verify(self, request, queryset):
        try:
            for relation in queryset.filter(verified_at__isnull=True):
                verify_relation(actor=request.user, relation=relation)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("Verified."), messages.SUCCESS)
