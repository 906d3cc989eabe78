"""Records for the people registered before the household app existed."""

from django.db import migrations

CATEGORIES = ("undergraduate", "graduate", "staff")


def forwards(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    HouseholdRecord = apps.get_model("hukou", "HouseholdRecord")
    have = set(HouseholdRecord.objects.values_list("person_id", flat=True))
    ids = Person.objects.filter(category__in=CATEGORIES).values_list("pk", flat=True).iterator()
    HouseholdRecord.objects.bulk_create([HouseholdRecord(person_id=pk) for pk in ids if pk not in have],
                                        batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("hukou", "0001_initial"), ("people", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
