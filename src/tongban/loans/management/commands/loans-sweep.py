import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongban.loans.services import sweep


class Command(BaseCommand):
    help = ("Run the card loans' morning sweep now (the worker runs it daily): due-date reminders, overdue "
            "restrictions and reminders. Safe to run again or after an interruption: nothing is sent twice.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="sweep as on this day (YYYY-MM-DD; default today)")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError(_("--date must be YYYY-MM-DD, got %(value)r") % {"value": options["date"]}) from None

        def progress(done: int, total: int) -> None:
            self.stderr.write("\r" + _("%(done)s/%(total)s loans processed") % {"done": done, "total": total},
                              ending="")

        counts = sweep(today=today, progress=progress if sys.stderr.isatty() else None)
        if sys.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(_("%(reminded)s due reminders, %(restricted)s people restricted for overdue loans, "
                            "%(overdue_reminded)s overdue reminders.") % counts)
