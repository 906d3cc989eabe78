import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(f"--date 应为 YYYY-MM-DD，收到 {options['date']!r}") from None

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r已处理 {done}/{total} 条借用", ending="")

        counts = sweep(today=today, progress=progress if sys.stderr.isatty() else None)
        if sys.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(f"到期提醒 {counts['reminded']} 条，逾期限制 {counts['restricted']} 人，"
                          f"逾期提醒 {counts['overdue_reminded']} 条。")
