import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.lib.errors import ApplicationError
from tongban.people.imports import import_people


class Command(BaseCommand):
    help = ("Import people from an .xlsx or .csv file (header row, in Chinese: name, ID number, student number, "
            "college, category, …).")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--report", type=Path, help="write problems to this CSV (row,field,value,error)")
        parser.add_argument("--as", dest="username", default="",
                            help="the account the import is done as (default: the first system admin)")

    def handle(self, *args, **options):
        actor = self._actor(options["username"])
        tty = sys.stderr.isatty()

        def progress(done, total):
            if tty:
                counts = (_("Processed %(done)s / %(total)s rows") if total else _("Processed %(done)s rows")) % {
                    "done": done, "total": total}
                self.stderr.write(f"\r{counts}", ending="")

        try:
            outcome = import_people(actor=actor, path=options["file"], dry_run=options["dry_run"],
                                    progress=progress)
        except ApplicationError as exc:
            # An unreadable file, a missing header, or an account that may not import:
            # nothing was written (for a CSV that breaks off mid-way, see import_people).
            self.stderr.write(_("Cannot import: %(reason)s") % {"reason": exc.message})
            sys.exit(2)
        if tty:
            self.stderr.write("")
        if options["report"]:
            options["report"].write_text(outcome.report_csv(), encoding="utf-8-sig")
        summary = (_("Check done: %(total)s rows, %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                     "%(errors)s errors, %(warnings)s warnings.") if options["dry_run"] else
                   _("Import done: %(total)s rows, %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                     "%(errors)s errors, %(warnings)s warnings."))
        self.stdout.write(summary % {"total": outcome.total, "created": outcome.created, "updated": outcome.updated,
                                     "unchanged": outcome.unchanged, "errors": len(outcome.errors),
                                     "warnings": len(outcome.warnings)})
        for p in outcome.errors[:20]:
            self.stdout.write("  " + _("Row %(row)s [%(field)s] %(value)s: %(error)s") % {
                "row": p.row, "field": p.field, "value": p.value, "error": p.error})
        if len(outcome.errors) > 20:
            self.stdout.write("  " + _("…and %(count)s more errors: see the --report file")
                % {"count": len(outcome.errors) - 20})
        if outcome.errors:
            sys.exit(1)

    def _actor(self, username: str) -> User:
        from tongban.accounts.models import Membership
        from tongban.accounts.roles import Role

        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("No account with the user name %(username)s") % {"username": username})
            return user
        m = Membership.objects.filter(role=Role.SYSADMIN, user__is_active=True).select_related("user").first()
        if m is None:
            raise CommandError(_("No system administrator account: name the importer with --as"))
        return m.user
