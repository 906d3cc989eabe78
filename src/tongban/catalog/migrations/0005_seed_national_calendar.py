"""The national calendar's years from chinesecalendar, as data: from now on the
database, editable per year in the back office, is what deadlines count with."""

from django.db import migrations


def seed(apps, schema_editor):
    from tongban.catalog.calendar_seed import days_of, known_years

    CalendarYear = apps.get_model("catalog", "CalendarYear")
    CalendarDay = apps.get_model("catalog", "CalendarDay")
    for year in known_years():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        CalendarYear.objects.create(year=year, complete=True, source="chinesecalendar")
        CalendarDay.objects.bulk_create([CalendarDay(year_id=year, date=day, kind=kind, name=name)
                                         for day, kind, name in days_of(year)])


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_national_calendar"),
    ]

    # back: the tables go with 0004; nothing to undo here
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
