from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through services (which check, audit and message):
    the back office may look, never add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
