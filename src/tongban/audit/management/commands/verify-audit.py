import sys

from django.core.management.base import BaseCommand

from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Walk the audit chain; exit 0 if it is whole, 1 naming the first altered or missing entry."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers", type=int, default=None,
            help="processes checking the chain side by side (default: one per CPU; 1 spares a busy database)")

    def handle(self, *args, **options):
        shown = 0

        def progress(n):
            nonlocal shown
            shown = n
            self.stderr.write(f"\r已校验 {n} 条", ending="")

        tty = sys.stderr.isatty()
        verdict = verify(AuditEntry.objects.all(), workers=options["workers"], progress=progress if tty else None)
        if shown:
            self.stderr.write("")  # end the progress line before the verdict
        if verdict.ok:
            self.stdout.write(f"审计链完整：共 {verdict.count} 条记录。")
            return
        self.stderr.write(f"审计链在第 {verdict.first_bad_seq} 条处断开：{verdict.reason}")
        sys.exit(1)
