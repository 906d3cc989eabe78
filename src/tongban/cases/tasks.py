from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from tongban.cases.services import flag_overdue


@db_periodic_task(crontab(minute="5", hour="8-18"))
@HUEY.lock_task("cases-flag-overdue")
def flag_overdue_work() -> None:
    """Each working hour: tell holders and supervisors of steps newly past their
    deadline (once per step, whichever worker runs it)."""
    flag_overdue()
