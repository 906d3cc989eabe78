from django.core.management.base import BaseCommand, CommandError

from tongban.campaigns.models import Campaign
from tongban.campaigns.services import run_dispatch_job


class Command(BaseCommand):
    help = "Run (or resume) the dispatch of a campaign that was started: nothing is sent twice."

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int)

    def handle(self, *args, campaign: int, **options):
        if not Campaign.objects.filter(pk=campaign).exists():
            raise CommandError(f"no campaign {campaign}")
        done = run_dispatch_job(campaign_id=campaign)
        self.stdout.write(f"{done.get_state_display()}: {done.dispatched}/{done.total}")
