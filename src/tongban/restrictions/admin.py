from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdmin
from tongban.restrictions.models import Restriction


@admin.register(Restriction)
class RestrictionAdmin(ReadOnlyAdmin):
    """Read-only: restrictions are imposed and lifted on the workbench, audited."""

    list_display = ("person", "kind", "blocks", "created_at", "lifted_at")
    list_filter = ("kind", "blocks")
