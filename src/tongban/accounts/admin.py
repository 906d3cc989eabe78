"""The back office of accounts, org units and roles: every save and delete goes
through accounts.services, which checks the actor's role again and writes the trail.
Access is held through roles (memberships) only, so Django's groups and model
permissions are not offered."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.accounts import lockout, second_factor
from tongban.accounts.access import can, scope
from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Action
from tongban.accounts.services import (
    create_org_unit,
    create_user,
    deactivate_user,
    grant_role,
    revoke_role,
    set_password,
    update_org_unit,
    update_user,
)
from tongban.lib.errors import ApplicationError

# django-otp's own admin shows authenticator keys and recovery codes to whoever may open
# it: devices are managed through the user list's audited reset action instead.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
# Django's groups would grant admin rights beside the roles, off the trail.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


def _may(request, action: str, unit: OrgUnit | None = None) -> bool:
    """Asked before every write, so the service (which asks again) cannot refuse it."""
    return request.user.is_active and can(request.user, action, unit=unit)


class ReachedBy:
    """An admin whose list and pages the holders of `reached_by` see, beside whom Django's
    own permissions let in; what they may change each admin says itself."""

    reached_by: str

    def has_module_permission(self, request):
        return super().has_module_permission(request) or _may(request, self.reached_by)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _may(request, self.reached_by)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "org_unit", "created_at")
    readonly_fields = ("role", "org_unit", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # granted and revoked in 角色授权, on the trail

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PasswordForm(AdminPasswordChangeForm):
    """Django's form, which also refuses a disabled password posted with the button that
    sets one (Django's view checks it by hand: the page has two buttons)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:  # Django's sentence has no zh_Hans translation yet
            self.fields["usable_password"].help_text = (
                _("Whether this account may log in with a password. "
                  "Disabling it voids the account's present password at once."))

    def clean(self):
        data = super().clean()
        if not data.get("set_usable_password", True) and "unset-password" not in self.data:
            # Django's own words, from its catalog, next to the choice they contradict
            self.add_error("usable_password", forms.ValidationError(
                _("Conflicting form data submitted. Please try again."), code="conflicting"))
        return data


class AccountForm(UserChangeForm):
    def clean_username(self):
        # logins ignore case, so T90001 and t90001 are one (accounts.update_user refuses it too)
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The user name \"%(username)s\" is taken.") % {"username": username})
        return username


@admin.register(User)
class TongbanUserAdmin(ReachedBy, UserAdmin):
    reached_by = Action.ROLE_GRANT
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal information"), {"fields": ("display_name", "first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    add_form_template = "admin/accounts/user/add_form.html"
    change_password_form = PasswordForm
    form = AccountForm
    inlines = [MembershipInline]
    actions = ["deactivate_users", "unlock_logins", "reset_second_factors"]

    @admin.action(description=_("Deactivate the selected accounts (ending all their sessions at once)"))
    def deactivate_users(self, request, queryset):
        try:
            done = sum(deactivate_user(actor=request.user, user=user) for user in queryset)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("Deactivated %(count)s accounts.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Lift the login lock on the selected accounts"))
    def unlock_logins(self, request, queryset):
        try:
            for user in queryset:
                lockout.unlock(actor=request.user, username=user.username)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request,
            _("Lifted the login lock on %(count)s accounts.") % {"count": queryset.count()}, messages.SUCCESS)

    @admin.action(description=_("Reset the second factor of the selected accounts (for a lost phone)"))
    def reset_second_factors(self, request, queryset):
        try:
            for user in queryset:
                second_factor.reset_second_factor(actor=request.user, user=user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request,
            _("Reset the second factor of %(count)s accounts; they enrol again at their next login.")
                % {"count": queryset.count()},
                          messages.SUCCESS)

    def has_add_permission(self, request):
        return _may(request, Action.ROLE_GRANT)

    def has_change_permission(self, request, obj=None):
        # only a superuser edits a superuser (accounts.services refuses it too)
        return _may(request, Action.ROLE_GRANT) and (obj is None or not obj.is_superuser
                                                     or request.user.is_superuser)

    def has_delete_permission(self, request, obj=None):
        return False  # the trail names accounts: deactivate one instead

    def get_readonly_fields(self, request, obj=None):
        fixed = () if request.user.is_superuser else ("is_superuser",)
        return (*super().get_readonly_fields(request, obj), *fixed)

    def save_model(self, request, obj, form, change):
        if change:
            update_user(actor=request.user, user=obj, changed=list(form.changed_data))
            return
        data = form.cleaned_data
        made = create_user(actor=request.user, username=obj.username,
                           password=data.get("password1") if data.get("set_usable_password", True) else None)
        obj.pk, obj.password, obj._state.adding = made.pk, made.password, False

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # the memberships shown here are read-only: nothing to write

    def user_change_password(self, request, id, form_url=""):
        """Django's page, but a valid new password is set by accounts.set_password."""
        user = self.get_object(request, unquote(id))
        if request.method == "POST" and user is not None and self.has_change_permission(request, user):
            form = self.change_password_form(user, request.POST)
            if form.is_valid():
                usable = form.cleaned_data["set_usable_password"]
                set_password(actor=request.user, user=user, password=form.cleaned_data["password1"] if usable else None)
                said = _("The password was changed.") if usable else _("Logging in with a password is disabled.")
                self.message_user(request, said, messages.SUCCESS)
                update_session_auth_hash(request, user)
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)


@admin.register(OrgUnit)
class OrgUnitAdmin(ReachedBy, admin.ModelAdmin):
    reached_by = Action.ORG_MANAGE
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth")
    actions = None

    def has_add_permission(self, request):
        return _may(request, Action.ORG_MANAGE)

    def has_change_permission(self, request, obj=None):
        return _may(request, Action.ORG_MANAGE, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # people, cases and the trail point at units: make one inactive instead

    def get_readonly_fields(self, request, obj=None):
        # The tree position is fixed once made: moving a unit would move its people's scope.
        return (*self.readonly_fields, "parent", "code") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            update_org_unit(actor=request.user, unit=obj, changed=list(form.changed_data))
            return
        made = create_org_unit(actor=request.user, code=obj.code, name=obj.name, kind=obj.kind,
                               parent=obj.parent)
        obj.pk, obj.path, obj.depth = made.pk, made.path, made.depth


@admin.register(Membership)
class MembershipAdmin(ReachedBy, admin.ModelAdmin):
    reached_by = Action.ROLE_GRANT
    list_display = ("user", "role", "org_unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "org_unit__name")
    autocomplete_fields = ("user", "org_unit")
    list_select_related = ("user", "org_unit")

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, Action.ROLE_GRANT)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            # only units the granter reaches: a forged POST naming another is an invalid choice
            kwargs["queryset"] = scope(OrgUnit.objects.all(), request.user, Action.ROLE_GRANT, unit_field="")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return _may(request, Action.ROLE_GRANT)

    def has_change_permission(self, request, obj=None):
        return False  # a grant is made or revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return _may(request, Action.ROLE_GRANT, obj.org_unit if obj is not None else None)

    def save_model(self, request, obj, form, change):
        made = grant_role(actor=request.user, user=obj.user, role=obj.role, org_unit=obj.org_unit)
        obj.pk = made.pk

    def delete_model(self, request, obj):
        revoke_role(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "org_unit"):
            revoke_role(actor=request.user, membership=membership)
