"""`tongban worker`: the background worker (Huey's consumer).

Exactly one worker of a deployment runs the periodic jobs (sweeps, reminders): start
that one with `--periodic` (or WORKER_PERIODIC=true, the embedded default) and every
other with `--no-periodic`. The jobs are idempotent and locked, so a second scheduler
by mistake sends nothing twice; it only does the work twice."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务进程（Huey consumer）"

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--worker-type", default="thread", choices=["thread", "process", "greenlet"])
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--periodic", dest="periodic", action="store_true", default=None,
                           help="本进程运行定时任务（整个部署只应有一个）")
        group.add_argument("--no-periodic", dest="periodic", action="store_false",
                           help="本进程不运行定时任务")

    def handle(self, *args, **options):
        periodic = settings.WORKER_PERIODIC if options["periodic"] is None else options["periodic"]
        self.stdout.write(f"后台任务进程：{options['workers']} 个{options['worker_type']}，"
                          f"{'运行' if periodic else '不运行'}定时任务")
        call_command("run_huey", workers=options["workers"], worker_type=options["worker_type"],
                     periodic=periodic)
