"""The back office of booking: resources with their weekly plans, saved through
booking.services (the unit checked again, on the trail, the slots cut), shown only to
the service admins of the resources' units; slots and bookings read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.accounts.access import can, scope
from tongban.accounts.models import OrgUnit
from tongban.booking import services
from tongban.booking.models import Booking, ExtraHours, ExtraSession, Resource, Rule, Session, Slot
from tongban.lib.admin import ReadOnlyAdmin


def _plans(request, unit: OrgUnit | None = None) -> bool:
    return request.user.is_active and can(request.user, services.PLAN_MANAGE, unit=unit)


class PlanRows:
    """A table of a resource's plan (`obj` is the resource), saved by ResourceAdmin
    through booking.services.save_plan_rows."""

    extra = 0

    def _plans(self, request, obj=None) -> bool:
        return _plans(request, obj.org_unit if obj is not None else None)

    def has_view_permission(self, request, obj=None):
        return self._plans(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._plans(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._plans(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._plans(request, obj)


class SessionInline(PlanRows, admin.TabularInline):
    model = Session


class ExtraSessionInline(PlanRows, admin.TabularInline):
    model = ExtraSession


class ExtraHoursInline(PlanRows, admin.TabularInline):
    model = ExtraHours
    fields = ("first", "last", "start", "end", "working_days_only", "note")


class RuleInline(PlanRows, admin.StackedInline):
    model = Rule


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """A resource with its weekly sessions, extra sessions and rules. Saving records the
    plan on the audit trail and brings the bookable days' slots in line with it."""

    list_display = ("name", "kind", "org_unit", "place", "slot_minutes", "capacity", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "place")
    filter_horizontal = ("services",)
    inlines = [SessionInline, ExtraSessionInline, ExtraHoursInline, RuleInline]
    actions = None
    fieldsets = (
        (None, {"fields": ("name", "kind", "org_unit", "place", "services", "is_active")}),
        (_("Slots"), {"fields": ("slot_minutes", "capacity")}),
        (_("No-show rules"), {"fields": ("no_show_limit", "no_show_days", "no_show_restrict_days", "auto_no_show")}),
    )

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, services.PLAN_MANAGE)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            # only units the admin manages: a forged POST naming another is an invalid choice
            kwargs["queryset"] = scope(OrgUnit.objects.all(), request.user, services.PLAN_MANAGE, unit_field="")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return _plans(request)

    def has_view_permission(self, request, obj=None):
        return _plans(request, obj.org_unit if obj is not None else None)

    def has_add_permission(self, request):
        return _plans(request)

    def has_change_permission(self, request, obj=None):
        return _plans(request, obj.org_unit if obj is not None else None)

    def has_delete_permission(self, request, obj=None):
        return False  # a resource with bookings keeps its history; make it inactive instead

    def save_model(self, request, obj, form, change):
        services.save_resource(actor=request.user, resource=obj, changed=list(form.changed_data),
                               services=list(form.cleaned_data.get("services") or []))

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        services.save_plan_rows(actor=request.user, resource=form.instance,
                                saved=[*formset.new_objects, *(o for o, _ in formset.changed_objects)],
                                deleted=list(formset.deleted_objects))

    def save_related(self, request, form, formsets, change):
        # the services were set by save_resource (no form.save_m2m); the admin's change
        # view is one transaction: the plan, its audit entries and the slots commit together
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        services.plan_saved(actor=request.user, resource=form.instance)


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
