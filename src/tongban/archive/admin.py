from django.contrib import admin

from tongban.archive.models import SealAuthority, SealKey
from tongban.lib.admin import ReadOnlyAdmin


@admin.register(SealKey)
class SealKeyAdmin(ReadOnlyAdmin):
    """Keys are made by the archive services only; the back office never sees a
    private key (not even encrypted)."""

    list_display = ("org_unit", "subject", "serial", "not_before", "not_after", "created_at")
    list_select_related = ("org_unit",)
    search_fields = ("subject", "serial", "org_unit__name", "org_unit__code")
    fields = ("org_unit", "authority", "subject", "serial", "not_before", "not_after", "created_at",
              "certificate_pem")
    readonly_fields = fields


@admin.register(SealAuthority)
class SealAuthorityAdmin(ReadOnlyAdmin):
    list_display = ("subject", "serial", "not_before", "not_after", "created_at")
    fields = ("name", "subject", "serial", "not_before", "not_after", "created_at", "certificate_pem")
    readonly_fields = fields
