from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdmin
from tongban.people.models import Person


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Read-only here: people change through imports and services, which audit them."""

    list_display = ("name", "id_number_masked", "student_number", "org_unit", "category", "account")
    list_filter = ("category", "org_unit")
    search_fields = ("name", "student_number")
