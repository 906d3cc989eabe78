"""List the published services with a step nobody could handle; exit 1 if any."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongban.catalog.services import live_gaps


class Command(BaseCommand):
    help = "List the approval steps of published services that nobody handles (exit status 1 if any)."

    def handle(self, *args, **options):
        found = live_gaps()
        for item, gaps in found:
            for gap in gaps:
                self.stdout.write(_("%(code)s %(name)s: %(gap)s")
                                  % {"code": item.code, "name": item.name, "gap": gap.message})
        if found:
            raise SystemExit(1)
        self.stdout.write(_("Every step of the published services has someone to handle it."))
