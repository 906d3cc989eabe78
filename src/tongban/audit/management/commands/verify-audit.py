import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

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
            self.stderr.write("\r" + _("%(count)s entries checked") % {"count": n}, ending="")

        tty = sys.stderr.isatty()
        verdict = verify(AuditEntry.objects.all(), workers=options["workers"], progress=progress if tty else None)
        if shown:
            self.stderr.write("")  # end the progress line before the verdict
        if verdict.ok:
            self.stdout.write(_("The audit chain is whole: %(count)s entries.") % {"count": verdict.count})
            return
        self.stderr.write(_("The audit chain breaks at entry %(seq)s: %(reason)s")
                          % {"seq": verdict.first_bad_seq, "reason": verdict.reason})
        sys.exit(1)
