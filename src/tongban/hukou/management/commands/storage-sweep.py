import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongban.hukou.sweeps import storage_sweep


class Command(BaseCommand):
    help = ("Run the household storage sweep now (the worker runs it daily): reminders 30, 7 and 1 days before "
            "a graduate's storage ends, and the office's list of expired storage. Safe to run again or after an "
            "interruption: nothing is sent twice.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="sweep as on this day (YYYY-MM-DD; default today)")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError(_("--date should be YYYY-MM-DD, got %(value)r") % {"value": options["date"]}) from None

        def progress(done: int, total: int) -> None:
            self.stderr.write("\r" + _("%(done)s/%(total)s storage records done") % {"done": done, "total": total},
                              ending="")

        counts = storage_sweep(today=today, progress=progress if sys.stderr.isatty() else None)
        if sys.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(_("%(reminded)s expiry reminders, %(reported)s notices of the expired list.") % {
            "reminded": counts["reminded"], "reported": counts["reported"]})
