"""Background jobs of the outbox: a relay run kicked after each commit that wrote
messages, and a sweep every minute that catches whatever a kick missed. The sweep is
locked so that two consumers that both run periodic jobs (a misconfiguration) still
take turns; the relay's claims make even overlapping runs send each message once."""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from tongban.notify.relay import relay


@db_task(priority=10)
def relay_task() -> None:
    relay()


def relay_now() -> None:
    relay_task()


@db_periodic_task(crontab(minute="*"))
@HUEY.lock_task("notify-relay-sweep")
def relay_sweep() -> None:
    relay()
