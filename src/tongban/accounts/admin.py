from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.accounts import lockout, second_factor
from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.services import create_org_unit, deactivate_user, grant_role
from tongban.lib.errors import ApplicationError

# django-otp's own admin shows authenticator keys and recovery codes to whoever may open
# it: devices are managed through the user list's audited reset action instead.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


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
    actions = ["deactivate_users", "unlock_logins", "reset_second_factors"]

    @admin.action(description="停用所选账号（立即退出其所有登录）")
    def deactivate_users(self, request, queryset):
        try:
            done = sum(deactivate_user(actor=request.user, user=user) for user in queryset)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"已停用 {done} 个账号。", messages.SUCCESS)

    @admin.action(description="解除所选账号的登录锁定")
    def unlock_logins(self, request, queryset):
        try:
            for user in queryset:
                lockout.unlock(actor=request.user, username=user.username)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"已解除 {queryset.count()} 个账号的登录锁定。", messages.SUCCESS)

    @admin.action(description="重置所选账号的双因素认证（丢失手机时）")
    def reset_second_factors(self, request, queryset):
        try:
            for user in queryset:
                second_factor.reset_second_factor(actor=request.user, user=user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"已重置 {queryset.count()} 个账号的双因素认证，下次登录须重新绑定。",
                          messages.SUCCESS)


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
