"""The shipped household business catalog (14 categories, 56 sub-items) and its first
version. Backwards: nothing to undo by hand (the rows go with the tables)."""

from django.db import migrations


def seed(apps, schema_editor):
    from tongban.records import catalog_data

    Category = apps.get_model("records", "Category")
    SubItem = apps.get_model("records", "SubItem")
    CatalogVersion = apps.get_model("records", "CatalogVersion")
    catalog_data.load(Category, SubItem)
    if not CatalogVersion.objects.exists():
        categories = Category.objects.prefetch_related("sub_items").order_by("order", "code")
        CatalogVersion.objects.create(number=1, config=catalog_data.snapshot(categories))


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
