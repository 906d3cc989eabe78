from django.contrib import admin, messages

from tongban.hukou import services
from tongban.hukou.models import HouseholdRecord, Waiver, WaiverAgreement
from tongban.lib.admin import ReadOnlyAdmin
from tongban.lib.errors import ApplicationError


@admin.register(WaiverAgreement)
class WaiverAgreementAdmin(admin.ModelAdmin):
    """New versions and edits go through the services: a signed version is never
    changed, and adding one makes it the wording shown from now on."""

    list_display = ("version", "title", "active", "created_at")
    fields = ("title", "body")

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.edit_agreement(actor=request.user, agreement=obj, title=obj.title, body=obj.body)
            else:
                saved = services.add_agreement(actor=request.user, title=obj.title, body=obj.body)
                obj.pk, obj.version = saved.pk, saved.version
        except ApplicationError as exc:
            messages.error(request, exc.message)
            raise _Refused from exc

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except _Refused:
            from django.shortcuts import redirect

            return redirect(request.path)

    def has_delete_permission(self, request, obj=None):
        return False


class _Refused(Exception):
    pass


@admin.register(HouseholdRecord)
class HouseholdRecordAdmin(ReadOnlyAdmin):
    """Read-only: records change through cases and the workbench's audited correction."""

    list_display = ("person", "status", "storage_expiry", "updated_at")
    list_filter = ("status",)
    search_fields = ("person__name", "person__student_number")
    list_select_related = ("person",)
    ordering = ("person__org_unit__path", "person__student_number", "id")  # by college (as the tree goes), number


@admin.register(Waiver)
class WaiverAdmin(ReadOnlyAdmin):
    list_display = ("person", "agreement", "signed_at")
