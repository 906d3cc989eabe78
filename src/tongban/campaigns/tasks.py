from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from tongban.campaigns.services import run_dispatch_job, send_due_reminders


@db_task(retries=2, retry_delay=10)
def run_dispatch(campaign_id: int) -> None:
    run_dispatch_job(campaign_id=campaign_id)


@db_periodic_task(crontab(minute="*/15"))
@HUEY.lock_task("campaigns-reminders")
def reminders_task() -> None:
    """Every quarter hour: the reminders due before a close and on a schedule (each round
    once, however often or wherever this runs)."""
    send_due_reminders()
