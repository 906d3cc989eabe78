"""The back office of the assistant: FAQ entries, saved and removed through
assistant.services (the service's unit checked again, on the trail) and shown only to
those who manage the service; the questions asked, read-only."""

from django.contrib import admin
from django.db.models import Q

from tongban.accounts.access import can, scope
from tongban.accounts.roles import Action
from tongban.assistant import services
from tongban.assistant.models import FAQ, Question
from tongban.catalog.models import ServiceItem
from tongban.lib.admin import ReadOnlyAdmin


def _manages(request, faq: FAQ | None = None) -> bool:
    unit = faq.service.org_unit if faq is not None else None
    return request.user.is_active and can(request.user, Action.CATALOG_MANAGE, unit=unit)


@admin.register(FAQ)
class FAQAdmin(admin.ModelAdmin):
    list_display = ("question", "service", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("question", "answer")
    actions = None

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, Action.CATALOG_MANAGE,
                     unit_field="service__org_unit").select_related("service__org_unit")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service":
            # only services the admin manages: a forged POST naming another is an invalid choice
            kwargs["queryset"] = scope(ServiceItem.objects.all(), request.user, Action.CATALOG_MANAGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return _manages(request)

    def has_view_permission(self, request, obj=None):
        return _manages(request, obj)

    def has_add_permission(self, request):
        return _manages(request)

    def has_change_permission(self, request, obj=None):
        return _manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _manages(request, obj)

    def save_model(self, request, obj, form, change):
        services.save_faq(actor=request.user, faq=obj, changed=list(form.changed_data))

    def delete_model(self, request, obj):
        services.delete_faq(actor=request.user, faq=obj)


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ("text", "outcome", "service", "part", "confidence", "helpful", "asked_at")
    list_filter = ("outcome", "helpful")

    def get_queryset(self, request):
        # as the staff list: questions answered by no service, or by one within the admin's units
        mine = scope(Question.objects.filter(service__isnull=False), request.user, Action.CATALOG_MANAGE,
                     unit_field="service__org_unit")
        return super().get_queryset(request).filter(Q(service__isnull=True) | Q(pk__in=mine.values("pk")))

    def has_module_permission(self, request):
        return _manages(request)

    def has_view_permission(self, request, obj=None):
        return _manages(request)
