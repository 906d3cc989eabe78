from django.contrib import admin

from tongban.booking import services
from tongban.booking.models import Booking, ExtraHours, ExtraSession, Resource, Rule, Session, Slot
from tongban.lib.admin import ReadOnlyAdmin


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class ExtraSessionInline(admin.TabularInline):
    model = ExtraSession
    extra = 0


class ExtraHoursInline(admin.TabularInline):
    model = ExtraHours
    extra = 0
    fields = ("first", "last", "start", "end", "working_days_only", "note")


class RuleInline(admin.StackedInline):
    model = Rule
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """A resource with its weekly sessions, extra sessions and rules. Saving records the
    plan on the audit trail and brings the bookable days' slots in line with it."""

    list_display = ("name", "kind", "org_unit", "place", "slot_minutes", "capacity", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "place")
    filter_horizontal = ("services",)
    inlines = [SessionInline, ExtraSessionInline, ExtraHoursInline, RuleInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "org_unit", "place", "services", "is_active")}),
        ("号源", {"fields": ("slot_minutes", "capacity")}),
        ("爽约规则", {"fields": ("no_show_limit", "no_show_days", "no_show_restrict_days", "auto_no_show")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # the admin's change view is one transaction: the plan, its audit entry and the
        # slots commit together
        services.plan_saved(actor=request.user, resource=form.instance)

    def has_delete_permission(self, request, obj=None):
        return False  # a resource with bookings keeps its history; make it inactive instead


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    """Read-only: slots are cut from the plan; places change only by booking."""

    list_display = ("resource", "start", "end", "capacity", "booked", "is_open")
    list_filter = ("resource", "is_open")
    date_hierarchy = "date"


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Read-only: bookings change through the applicant's pages and the window."""

    list_display = ("person", "service", "resource", "date", "state", "queue_number", "walk_in")
    list_filter = ("state", "resource")
    search_fields = ("person__name", "person__student_number")
    date_hierarchy = "date"
