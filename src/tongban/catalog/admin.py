"""The back office for service admins: a service's guide, form fields, materials and
workflow steps as inline tables; a preview of the form as the applicant will see it;
publishing a new version (refused with the row at fault)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html

from tongban.accounts.access import can
from tongban.accounts.roles import Action
from tongban.catalog import services
from tongban.catalog.models import Closure, FormField, Material, ServiceItem, ServiceVersion, Step
from tongban.lib.errors import ApplicationError


class ManagedByServiceAdmins:
    """Visible and editable to those whose role may manage the catalog."""

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
        return self._manages(request)


class FieldInline(ManagedByServiceAdmins, admin.TabularInline):
    model = FormField
    extra = 0
    fields = ("order", "key", "label", "type", "required", "options", "visible_if", "prefill", "help")


class MaterialInline(ManagedByServiceAdmins, admin.TabularInline):
    model = Material
    extra = 0
    fields = ("order", "key", "name", "required", "core", "condition", "file_types", "max_files", "description")


class StepInline(ManagedByServiceAdmins, admin.TabularInline):
    model = Step
    extra = 0
    fields = ("stage", "order", "key", "name", "role", "unit_rule", "unit", "needs_signature", "time_limit_days",
              "skip_if")


@admin.register(ServiceItem)
class ServiceItemAdmin(ManagedByServiceAdmins, admin.ModelAdmin):
    list_display = ("name", "code", "category", "org_unit", "is_published", "version_number", "updated_at")
    list_filter = ("is_published", "category")
    search_fields = ("name", "code")
    readonly_fields = ("is_published", "current_version", "tools")
    inlines = [FieldInline, MaterialInline, StepInline]
    fieldsets = (
        (None, {"fields": ("tools", "code", "name", "category", "org_unit", "serial_prefix", "audience", "ways",
                           "needs_acceptance", "booking_required", "effect", "is_published", "current_version")}),
        ("办事指南", {"fields": ("conditions", "process", "promised_days", "statutory_days", "legal_basis", "fee",
                             "visits", "place_hours", "enquiry_phone", "complaint", "faq")}),
    )

    @admin.display(description="版本")
    def version_number(self, obj):
        return obj.current_version.number if obj.current_version_id else "—"

    @admin.display(description="操作")
    def tools(self, obj):
        if not obj.pk:
            return "保存后可预览和发布"
        return format_html(
            '<a class="button" href="{}" target="_blank">预览表单</a> '
            '<a class="button" href="{}">发布新版本</a> '
            '<span class="help">发布前会检查整份配置；已提交的办件保持原版本。</span>',
            reverse("catalog:preview", args=[obj.pk]), reverse("admin:catalog_serviceitem_publish", args=[obj.pk]))

    def get_urls(self):
        return [path("<int:pk>/publish/", self.admin_site.admin_view(self.publish_view),
                     name="catalog_serviceitem_publish"), *super().get_urls()]

    def publish_view(self, request, pk: int):
        item = ServiceItem.objects.filter(pk=pk).first()
        if item is None or not self._manages(request):
            return redirect("admin:catalog_serviceitem_changelist")
        try:
            version = services.publish(actor=request.user, item=item)
            self.message_user(request, f"已发布《{item.name}》第 {version.number} 版。", messages.SUCCESS)
        except ApplicationError as exc:
            self.message_user(request, f"未发布：{exc.message}", messages.ERROR)
        return redirect("admin:catalog_serviceitem_change", pk)


@admin.register(ServiceVersion)
class ServiceVersionAdmin(ManagedByServiceAdmins, admin.ModelAdmin):
    list_display = ("item", "number", "published_at", "published_by")
    readonly_fields = ("item", "number", "config", "published_at", "published_by")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Closure)
class ClosureAdmin(ManagedByServiceAdmins, admin.ModelAdmin):
    list_display = ("org_unit", "start", "end", "reason")
    list_filter = ("org_unit",)


