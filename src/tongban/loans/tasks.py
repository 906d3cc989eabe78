from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from tongban.loans.services import sweep


@db_periodic_task(crontab(hour="8", minute="20"))
@HUEY.lock_task("loans-sweep")
def loans_sweep() -> None:
    """Each morning: due-date reminders, overdue restrictions and reminders (each once)."""
    sweep()
