from django.contrib import admin

from tongban.audit.models import AuditEntry
from tongban.lib.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "actor_name", "role", "action", "object_type", "object_id", "summary")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_id", "summary")
