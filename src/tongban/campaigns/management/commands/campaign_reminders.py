from django.core.management.base import BaseCommand

from tongban.campaigns.services import send_due_reminders


class Command(BaseCommand):
    help = "Send the campaign reminders that are due (before a close, on a schedule); each round once."

    def handle(self, *args, **options):
        count = send_due_reminders()
        self.stdout.write(f"reminded {count}")
