from django.core.management.base import BaseCommand

from tongban.people.services import reencrypt_people


class Command(BaseCommand):
    help = ("Re-encrypt every person's ID number and phone under the newest key (the first "
            "of FIELD_ENCRYPTION_KEYS). Safe to repeat; afterwards the older keys can go.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="people per transaction")

    def handle(self, *args, **options):
        rewritten = reencrypt_people(batch_size=options["batch_size"])
        self.stdout.write(f"已用最新密钥重新加密 {rewritten} 人。")
