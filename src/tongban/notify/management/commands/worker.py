"""`tongban worker`: the background worker (Huey's consumer).

Exactly one worker of a deployment runs the periodic jobs (sweeps, reminders): start
that one with `--periodic` (or WORKER_PERIODIC=true, the embedded default) and every
other with `--no-periodic`. The jobs are idempotent and locked, so a second scheduler
by mistake sends nothing twice; it only does the work twice."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _


class Command(BaseCommand):
    help = _("Run the background task worker (Huey consumer)")

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--worker-type", default="thread", choices=["thread", "process", "greenlet"])
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--periodic", dest="periodic", action="store_true", default=None,
                           help=_("This process runs the periodic tasks (only one per deployment should)"))
        group.add_argument("--no-periodic", dest="periodic", action="store_false",
                           help=_("This process does not run the periodic tasks"))

    def handle(self, *args, **options):
        periodic = settings.WORKER_PERIODIC if options["periodic"] is None else options["periodic"]
        line = (_("Background worker: %(workers)s %(type)s workers, running the periodic tasks") if periodic
                else _("Background worker: %(workers)s %(type)s workers, not running the periodic tasks"))
        self.stdout.write(line % {"workers": options["workers"], "type": options["worker_type"]})
        call_command("run_huey", workers=options["workers"], worker_type=options["worker_type"],
                     periodic=periodic)
