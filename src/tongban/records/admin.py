"""The back office of the household business catalog: categories and sub-items are
edited by whoever manages the catalog, every save through records.services (checked,
on the trail); nothing is deleted (cases point at the versions); publishing freezes
the catalog as a new version. Versions, archive files and captures are read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.access import can
from tongban.accounts.roles import Action
from tongban.lib.admin import ReadOnlyAdmin
from tongban.lib.errors import ApplicationError
from tongban.records import services
from tongban.records.models import Capture, CaseFile, CatalogVersion, Category, SubItem


class _CatalogManagers:
    def _manages(self, request) -> bool:
        return request.user.is_active and can(request.user, Action.CATALOG_MANAGE)

    def has_module_permission(self, request):
        return self._manages(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request)

    def has_add_permission(self, request, *args):
        return self._manages(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(_CatalogManagers, admin.ModelAdmin):
    list_display = ("code", "name", "basic_code", "order")
    actions = None

    def save_model(self, request, obj, form, change):
        services.save_category(actor=request.user, category=obj, changed=list(form.changed_data))


class SubItemForm(forms.ModelForm):
    """The materials and capture list checked for shape at their fields (the service
    checks them again)."""

    class Meta:
        model = SubItem
        fields = ["category", "business_item", "name", "order", "approval_levels", "time_limit_days", "materials",
                  "captures", "service"]

    def _checked(self, name: str, check):
        value = self.cleaned_data[name]
        try:
            check(value)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return value

    def clean_materials(self):
        return self._checked("materials", services.check_materials)

    def clean_captures(self):
        return self._checked("captures", services.check_captures)


@admin.register(SubItem)
class SubItemAdmin(_CatalogManagers, admin.ModelAdmin):
    form = SubItemForm
    list_display = ("name", "category", "business_item", "approval_levels", "time_limit_days", "service")
    list_select_related = ("category", "service")
    list_filter = ("category", "approval_levels")
    search_fields = ("name", "business_item")
    actions = ["publish"]

    def save_model(self, request, obj, form, change):
        services.save_sub_item(actor=request.user, sub_item=obj, changed=list(form.changed_data))

    @admin.action(description=_("Publish the household business catalog as a new version"))
    def publish(self, request, queryset):
        version = services.publish_catalog(actor=request.user)
        self.message_user(request, gettext("Published as version %(number)s.") % {"number": version.number},
                          messages.SUCCESS)


@admin.register(CatalogVersion)
class CatalogVersionAdmin(_CatalogManagers, ReadOnlyAdmin):
    list_display = ("number", "published_at", "published_by")
    readonly_fields = ("number", "config", "published_at", "published_by")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CaseFile)
class CaseFileAdmin(ReadOnlyAdmin):
    list_display = ("case", "version", "opened_at")


@admin.register(Capture)
class CaptureAdmin(ReadOnlyAdmin):
    list_display = ("item_name", "kind", "case", "person", "captured_by_name", "captured_at", "pages", "late",
                    "superseded_at")
    list_filter = ("kind", "late")
    list_select_related = ("case", "person")
    exclude = ("file",)
