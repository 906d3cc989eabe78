from django.contrib import admin

from tongban.audit.services import record
from tongban.lib.admin import ReadOnlyAdmin
from tongban.loans.models import Loan, Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "days", "working_days", "restrict_when_overdue", "lift_on_return", "active")

    def save_model(self, request, obj, form, change):
        # the change view is one transaction: the policy and its audit entry together
        super().save_model(request, obj, form, change)
        record(actor=request.user, action="loans.policy_change" if change else "loans.policy_add", obj=obj,
               summary=f"{'修改' if change else '新增'}借用规则：{obj}",
               details={name: str(form.cleaned_data.get(name)) for name in form.changed_data})

    def has_delete_permission(self, request, obj=None):
        return False  # loans keep their policy; make it inactive instead


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    """Read-only: loans are lent and taken back at the window, audited."""

    list_display = ("person", "item", "lent_at", "due_date", "returned_at")
    list_filter = ("policy",)
