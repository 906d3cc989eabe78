import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(f"--date 应为 YYYY-MM-DD，收到 {options['date']!r}") from None

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r已处理 {done}/{total} 条暂存记录", ending="")

        counts = storage_sweep(today=today, progress=progress if sys.stderr.isatty() else None)
        if sys.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(f"到期提醒 {counts['reminded']} 条，到期待迁出名单通知 {counts['reported']} 条。")
