from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdmin
from tongban.loans.models import Loan, Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "days", "working_days", "restrict_when_overdue", "lift_on_return", "active")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    """Read-only: loans are lent and taken back at the window, audited."""

    list_display = ("person", "item", "lent_at", "due_date", "returned_at")
    list_filter = ("policy",)
