import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongban.audit.backup import restore
from tongban.lib.errors import ApplicationError


class Command(BaseCommand):
    help = ("Fill an empty database (new, before migrate) and media folder from a backup made by `tongban backup`, "
            "then check every table's row count against its manifest and walk the audit chain. Needs the same "
            "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY as when the backup was made.")

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path)

    def handle(self, *args, **options):
        try:
            done = restore(options["dir"], progress=lambda line: self.stderr.write(line))
        except ApplicationError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        self.stdout.write(_("Restored: %(tables)s tables, %(rows)s rows, %(files)s files; the audit chain is "
                            "whole: %(entries)s entries.") % {
            "tables": done.tables, "rows": done.rows, "files": done.media_files, "entries": done.audit_entries})
