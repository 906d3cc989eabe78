"""Print the household business catalog as a table (category, service code, sub-item,
approval levels, time limit, materials, capture list); `--load` first adds the rows of
the shipped data file the database lacks and publishes a version."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.records import services
from tongban.records.models import Levels
from tongban.records.selectors import catalog


class Command(BaseCommand):
    help = "Print the household business catalog as a table (--load: add the shipped rows the database lacks)."

    def add_arguments(self, parser):
        parser.add_argument("--load", action="store_true", help="Load the shipped catalog's missing rows first.")

    def handle(self, *args, **options):
        if options["load"]:
            categories, items = services.load_catalog(actor=None)
            self.stdout.write(_("Loaded %(categories)s categories and %(items)s sub-items.")
                              % {"categories": categories, "items": items})
        sep = pgettext("list separator", ", ")
        head = [_("Category"), _("Service code"), _("Sub-item"), _("Approval levels"), _("Time limit (working days)"),
                _("Required materials"), _("Capture list")]
        self.stdout.write("\t".join(head))
        count = 0
        for category in catalog():
            for s in category.sub_items.all():
                count += 1
                captures = sorted(s.captures, key=lambda e: e.get("order", 0))
                self.stdout.write("\t".join([
                    f"{category.code} {category.name}", s.service_code, s.name, str(Levels(s.approval_levels).label),
                    str(s.time_limit_days), sep.join(m["name"] for m in s.materials),
                    sep.join(f"{e['name']}" + (f"(+{e['due_days']})" if e.get("due_days") else "")
                             for e in captures)]))
        self.stdout.write(_("%(count)s sub-items.") % {"count": count})
