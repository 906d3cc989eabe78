from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongban.people.services import reencrypt_people


class Command(BaseCommand):
    help = ("Re-encrypt every person's ID number and phone under the newest key (the first "
            "of FIELD_ENCRYPTION_KEYS). Safe to repeat; afterwards the older keys can go.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="people per transaction")

    def handle(self, *args, **options):
        rewritten = reencrypt_people(batch_size=options["batch_size"])
        self.stdout.write(_("Re-encrypted %(count)s people with the newest key.") % {"count": rewritten})
