"""The national calendar's years from chinesecalendar, as data: from now on the
database, editable per year in the back office, is what deadlines count with."""

from django.db import migrations


def seed(apps, schema_editor):
    from tongban.catalog.calendar_seed import seed_missing_years

    seed_missing_years(apps.get_model("catalog", "CalendarYear"), apps.get_model("catalog", "CalendarDay"))


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_national_calendar"),
    ]

    # back: the tables go with 0004; nothing to undo here
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
