from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse

from tongban.lib import crypto
from tongban.lib.admin import ReadOnlyAdmin
from tongban.people import idnumber
from tongban.people.models import Person
from tongban.people.selectors import is_whole_id_number


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
