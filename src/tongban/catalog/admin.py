"""The back office for service admins: a service's guide, form fields, materials and
workflow steps as inline tables; a preview of the form as the applicant will see it;
publishing a new version (refused with the row at fault); the live services with a
step nobody could handle; the units' closures and the national calendar.

A service admin sees and changes only the services (and closures) of the units they
manage; every save and delete goes through catalog.services, which checks the unit
again and writes the trail. Publishing is a POST (a button of the change form)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.accounts.access import can, scope, scope_of
from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Action
from tongban.catalog import services, workdays
from tongban.catalog.models import (
    CalendarDay,
    CalendarYear,
    Closure,
    FormField,
    Material,
    ServiceItem,
    ServiceVersion,
    Step,
)
from tongban.lib.errors import ApplicationError


def _manages(request, unit: OrgUnit | None = None) -> bool:
    return request.user.is_active and can(request.user, Action.CATALOG_MANAGE, unit=unit)


class ManagedByServiceAdmins:
    """Visible to those whose role may manage the catalog; a row only to those who
    manage it in the row's unit (`unit_field`, the lookup to it)."""

    unit_field = "org_unit"

    def _unit_of(self, obj) -> OrgUnit | None:
        for part in self.unit_field.split("__"):
            obj = getattr(obj, part)
        return obj

    def _manages(self, request, obj=None) -> bool:
        if obj is None:
            return _manages(request)
        return _manages(request, self._unit_of(obj))

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, Action.CATALOG_MANAGE, unit_field=self.unit_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            # only units the admin manages: a forged POST naming another is an invalid choice
            kwargs["queryset"] = scope(OrgUnit.objects.all(), request.user, Action.CATALOG_MANAGE, unit_field="")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return self._manages(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_add_permission(self, request, *args):
        return self._manages(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request, obj)


class DraftRowInline(admin.TabularInline):
    """A table of a service's draft rows; `obj` is the service. Saved by the service's
    admin through catalog.services.save_draft_rows."""

    extra = 0

    def _manages(self, request, obj=None) -> bool:
        return _manages(request, obj.org_unit if obj is not None else None)

    def has_view_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request, obj)


class FieldInline(DraftRowInline):
    model = FormField
    fields = ("order", "key", "label", "type", "required", "options", "visible_if", "prefill", "help")


class MaterialInline(DraftRowInline):
    model = Material
    fields = ("order", "key", "name", "required", "core", "condition", "file_types", "max_files", "description")


class StepInline(DraftRowInline):
    model = Step
    fields = ("stage", "order", "key", "name", "role", "unit_rule", "unit", "needs_signature", "time_limit_days",
              "skip_if")


@admin.register(ServiceItem)
class ServiceItemAdmin(ManagedByServiceAdmins, admin.ModelAdmin):
    list_display = ("name", "code", "category", "org_unit", "is_published", "version_number", "updated_at")
    list_filter = ("is_published", "category")
    search_fields = ("name", "code")
    readonly_fields = ("is_published", "current_version", "tools")
    inlines = [FieldInline, MaterialInline, StepInline]
    actions = None  # no bulk delete: a published service is stopped, not deleted
    fieldsets = (
        (None, {"fields": ("tools", "code", "name", "category", "org_unit", "serial_prefix", "audience", "ways",
                           "needs_acceptance", "booking_required", "effect", "is_published", "current_version")}),
        (_("Service guide"), {"fields": ("conditions", "process", "promised_days", "statutory_days", "legal_basis",
                                         "fee",
                             "visits", "place_hours", "enquiry_phone", "complaint", "faq")}),
    )

    @admin.display(description=_("Version"))
    def version_number(self, obj):
        return obj.current_version.number if obj.current_version_id else "—"

    @admin.display(description=pgettext_lazy("admin column", "Actions"))
    def tools(self, obj):
        if not obj.pk:
            return gettext("Save to preview and publish")
        # a submit button of the change form itself (its CSRF token goes along): a
        # POST to the publish view, never a link a GET could follow
        stop = format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" formnovalidate>{}</button> ',
            reverse("admin:catalog_serviceitem_unpublish",
                    args=[obj.pk]), gettext("Unpublish")) if obj.is_published else ""
        return format_html(
            '<a class="button" href="{}" target="_blank">{}</a> '
            '<button type="submit" class="button" formaction="{}" formmethod="post" formnovalidate>{}</button> '
            '{}<span class="help">{}</span>',
            reverse("catalog:preview", args=[obj.pk]), gettext("Preview the form"),
            reverse("admin:catalog_serviceitem_publish", args=[obj.pk]), gettext("Publish a new version"), stop,
            gettext("What is published is the saved draft (save your changes first); publishing checks the whole "
                    "configuration and who handles each step; cases already submitted keep their version."))

    def get_urls(self):
        return [path("<int:pk>/publish/", self.admin_site.admin_view(require_POST(self.publish_view)),
                     name="catalog_serviceitem_publish"),
                path("<int:pk>/unpublish/", self.admin_site.admin_view(require_POST(self.unpublish_view)),
                     name="catalog_serviceitem_unpublish"),
                path("holder-gaps/", self.admin_site.admin_view(self.gaps_view), name="catalog_serviceitem_gaps"),
                *super().get_urls()]

    def publish_view(self, request, pk: int):
        item = self.get_queryset(request).filter(pk=pk).first()
        if item is None:
            raise PermissionDenied
        try:
            version = services.publish(actor=request.user, item=item)
            self.message_user(request, gettext("Published version %(number)s of %(name)s.")
                              % {"number": version.number, "name": item.name}, messages.SUCCESS)
        except ApplicationError as exc:
            self.message_user(request, gettext("Not published: %(error)s") % {"error": exc.message}, messages.ERROR)
        return redirect("admin:catalog_serviceitem_change", pk)

    def unpublish_view(self, request, pk: int):
        item = self.get_queryset(request).filter(pk=pk).first()
        if item is None:
            raise PermissionDenied
        try:
            services.unpublish(actor=request.user, item=item)
            self.message_user(request, gettext("Unpublished %(name)s: no new applications are taken; cases in "
                                       "hand go on as before.") % {"name": item.name}, messages.SUCCESS)
        except ApplicationError as exc:
            self.message_user(request, gettext("Not unpublished: %(error)s") % {"error": exc.message}, messages.ERROR)
        return redirect("admin:catalog_serviceitem_change", pk)

    def gaps_view(self, request):
        """The live services (of the admin's units) with a step nobody could handle."""
        if not self._manages(request):
            raise PermissionDenied
        mine = set(self.get_queryset(request).values_list("pk", flat=True))
        rows = [(item, gaps) for item, gaps in services.live_gaps() if item.pk in mine]
        context = {**self.admin_site.each_context(request), "title": gettext("Approval steps nobody handles"),
                   "rows": rows,
                   "opts": self.model._meta}
        return render(request, "catalog/admin_gaps.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "gaps_url": reverse("admin:catalog_serviceitem_gaps")}
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        services.save_item(actor=request.user, item=obj, changed=list(form.changed_data))

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        changed = {id(obj): fields for obj, fields in formset.changed_objects}
        saved = [(obj, changed.get(id(obj), list(formset.form.base_fields)))
                 for obj in [*formset.new_objects, *(o for o, _ in formset.changed_objects)]]
        services.save_draft_rows(actor=request.user, item=form.instance, saved=saved,
                                 deleted=list(formset.deleted_objects))

    def has_delete_permission(self, request, obj=None):
        # a published service keeps its versions (cases point at them): stop it instead
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.versions.exists())

    def delete_model(self, request, obj):
        services.delete_item(actor=request.user, item=obj)


@admin.register(ServiceVersion)
class ServiceVersionAdmin(ManagedByServiceAdmins, admin.ModelAdmin):
    unit_field = "item__org_unit"
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
    actions = None

    def save_model(self, request, obj, form, change):
        services.save_closure(actor=request.user, closure=obj, changed=list(form.changed_data))

    def delete_model(self, request, obj):
        services.delete_closure(actor=request.user, closure=obj)


class CalendarDaysForm(BaseInlineFormSet):
    def clean(self):
        super().clean()
        year = self.instance.year
        for form in self.forms:
            day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
            if day and year and day.year != year and not form.cleaned_data.get("DELETE"):
                form.add_error("date", gettext("%(date)s is not in %(year)s") % {"date": day, "year": year})


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDaysForm
    extra = 0
    fields = ("date", "kind", "name")

    def _all(self, request) -> bool:
        return request.user.is_active and scope_of(request.user, Action.CATALOG_MANAGE).everything

    def has_view_permission(self, request, obj=None):
        return _manages(request)

    def has_add_permission(self, request, obj=None):
        return self._all(request)

    def has_change_permission(self, request, obj=None):
        return self._all(request)

    def has_delete_permission(self, request, obj=None):
        return self._all(request)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """The national calendar, one year a page: its holidays and make-up working days.
    Service admins may look; only who manages the whole catalog changes it."""

    list_display = ("year", "complete", "day_count", "source", "updated_at")
    fields = ("year", "complete", "source")
    inlines = [CalendarDayInline]
    actions = None

    def _all(self, request) -> bool:
        return request.user.is_active and scope_of(request.user, Action.CATALOG_MANAGE).everything

    def has_module_permission(self, request):
        return _manages(request)

    def has_view_permission(self, request, obj=None):
        return _manages(request)

    def has_add_permission(self, request):
        return self._all(request)

    def has_change_permission(self, request, obj=None):
        return self._all(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("year",) if obj is not None else ()

    @admin.display(description=_("Days"))
    def day_count(self, obj):
        return obj.days.count()

    def changelist_view(self, request, extra_context=None):
        from django.utils import timezone

        this = timezone.localdate().year
        for year in (this, this + 1):
            if not workdays.year_has_data(year):
                self.message_user(request, gettext(
                    "%(year)s has no complete holiday data yet: time limits running into it are estimated as Monday "
                    "to Friday, and the cases say so. Enter the State Council's schedule and tick \"Complete\".")
                    % {"year": year}, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        services.save_calendar_year(actor=request.user, year=obj, changed=list(form.changed_data))

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        changed = {id(obj): fields for obj, fields in formset.changed_objects}
        saved = [(obj, changed.get(id(obj), ["date", "kind", "name"]))
                 for obj in [*formset.new_objects, *(o for o, _ in formset.changed_objects)]]
        services.save_calendar_days(actor=request.user, year=form.instance, saved=saved,
                                    deleted=list(formset.deleted_objects))
