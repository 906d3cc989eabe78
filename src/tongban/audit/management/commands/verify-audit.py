import sys

from django.core.management.base import BaseCommand

from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Walk the audit chain; exit 0 if it is whole, 1 naming the first altered or missing entry."

    def handle(self, *args, **options):
        progress = None
        if sys.stderr.isatty():
            def progress(n):
                self.stderr.write(f"\r已校验 {n} 条", ending="")
        verdict = verify(AuditEntry.objects.all(), progress=progress)
        if verdict.ok:
            self.stdout.write(f"审计链完整：共 {verdict.count} 条记录。")
            return
        self.stderr.write(f"审计链在第 {verdict.first_bad_seq} 条处断开：{verdict.reason}")
        sys.exit(1)
