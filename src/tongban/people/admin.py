from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse

from tongban.lib import crypto
from tongban.lib.admin import ReadOnlyAdmin
from tongban.lib.errors import ApplicationError
from tongban.people import idnumber
from tongban.people.models import Person, Relation
from tongban.people.selectors import is_whole_id_number, people
from tongban.people.services import add_relation, relation_refusal, verify_relation


class IdNumberSearch(forms.Form):
    id_number = forms.CharField(max_length=20)

    def clean_id_number(self):
        number = idnumber.normalise(self.cleaned_data["id_number"])
        if not is_whole_id_number(number):
            raise forms.ValidationError("请输入完整的 18 位身份证号。")
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
        if request.method == "POST" and "id_number_search" in request.POST:
            if not self.has_view_or_change_permission(request):
                return super().changelist_view(request, extra_context)
            form = IdNumberSearch(request.POST)
            if not form.is_valid():
                self.message_user(request, "请输入完整的 18 位身份证号。", messages.ERROR)
                return redirect(here)
            number = form.cleaned_data["id_number"]
            found = Person.objects.filter(id_number_index=crypto.blind_index(number, purpose="id"))
            pks = ",".join(str(pk) for pk in found.values_list("pk", flat=True)) or "0"
            return redirect(f"{here}?id__in={pks}")
        if is_whole_id_number(request.GET.get("q", "")):
            self.message_user(request, "身份证号请用下方「按身份证号查找」检索，不要放在网址里。", messages.WARNING)
            return redirect(here)
        return super().changelist_view(request, extra_context)


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
            verified = forms.BooleanField(label="已核实（已查验亲属关系证明）", required=False)

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

    @admin.action(description="核实选中的亲属关系（已查验证明）")
    def verify(self, request, queryset):
        try:
            for relation in queryset.filter(verified_at__isnull=True):
                verify_relation(actor=request.user, relation=relation)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, "已核实。", messages.SUCCESS)
