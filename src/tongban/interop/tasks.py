"""Webhooks leave from the job queue: a relay kicked after each commit that wrote
deliveries, and a sweep every minute for retries and whatever a kick missed."""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from tongban.interop.delivery import relay


@db_task(priority=5)
def relay_task() -> None:
    relay()


def deliver_soon() -> None:
    relay_task()


@db_periodic_task(crontab(minute="*"))
@HUEY.lock_task("interop-relay-sweep")
def relay_sweep() -> None:
    relay()
