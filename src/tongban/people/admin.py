from django.contrib import admin

from tongban.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Read-only here: people change through imports and services, which audit them."""

    list_display = ("name", "id_number_masked", "student_number", "org_unit", "category", "account")
    list_filter = ("category", "org_unit")
    search_fields = ("name", "student_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
