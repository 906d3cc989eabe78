import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongban.audit.backup import backup
from tongban.lib.errors import ApplicationError


class Command(BaseCommand):
    help = ("Write a consistent snapshot of the database and the uploaded files into DIR (absent or empty), "
            "with a manifest of row counts and the audit chain's head. The encryption and blind-index keys are "
            "never included: keep them apart.")

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path)

    def handle(self, *args, **options):
        try:
            manifest = backup(options["dir"], progress=lambda line: self.stderr.write(line))
        except ApplicationError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        self.stdout.write(_("Backed up to %(dir)s: %(tables)s tables, %(rows)s rows, the audit chain up to entry "
                            "%(seq)s, %(files)s files.") % {
            "dir": options["dir"], "tables": len(manifest["tables"]), "rows": manifest["rows"],
            "seq": manifest["audit_head"]["seq"], "files": manifest["media"]["files"]})
        self.stdout.write(manifest["keys"]["note"])
