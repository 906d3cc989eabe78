from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.services import create_org_unit, grant_role


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "org_unit", "created_at")
    readonly_fields = ("role", "org_unit", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class TongbanUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("通办", {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    inlines = [MembershipInline]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth")

    def get_readonly_fields(self, request, obj=None):
        # The tree position is fixed once made: moving a unit would move its people's scope.
        return (*self.readonly_fields, "parent", "code") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        made = create_org_unit(actor=request.user, code=obj.code, name=obj.name, kind=obj.kind,
                               parent=obj.parent)
        obj.pk, obj.path, obj.depth = made.pk, made.path, made.depth


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org_unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "org_unit__name")
    autocomplete_fields = ("user", "org_unit")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        made = grant_role(actor=request.user, user=obj.user, role=obj.role, org_unit=obj.org_unit)
        obj.pk = made.pk
