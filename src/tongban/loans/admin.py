"""The back office of card loans: lending policies, saved through loans.services
(the unit checked again, on the trail) and shown only to those who lend in the
policy's unit; the loans themselves read-only."""

from django.contrib import admin

from tongban.accounts.access import can, scope
from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Action
from tongban.lib.admin import ReadOnlyAdmin
from tongban.loans import services
from tongban.loans.models import Loan, Policy


def _lends(request, unit: OrgUnit | None = None) -> bool:
    return request.user.is_active and can(request.user, Action.LOAN_MANAGE, unit=unit)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "days", "working_days", "restrict_when_overdue", "lift_on_return", "active")
    list_filter = ("active",)
    actions = None

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, Action.LOAN_MANAGE)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            # only units the officer lends in: a forged POST naming another is an invalid choice
            kwargs["queryset"] = scope(OrgUnit.objects.all(), request.user, Action.LOAN_MANAGE, unit_field="")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return _lends(request)

    def has_view_permission(self, request, obj=None):
        return _lends(request, obj.org_unit if obj is not None else None)

    def has_add_permission(self, request):
        return _lends(request)

    def has_change_permission(self, request, obj=None):
        return _lends(request, obj.org_unit if obj is not None else None)

    def has_delete_permission(self, request, obj=None):
        return False  # loans keep their policy; make it inactive instead

    def save_model(self, request, obj, form, change):
        # the change view is one transaction: the policy and its audit entry together
        services.save_policy(actor=request.user, policy=obj, changed=list(form.changed_data))


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    """Read-only: loans are lent and taken back at the window, audited."""

    list_display = ("person", "item", "lent_at", "due_date", "returned_at")
    list_filter = ("policy",)
