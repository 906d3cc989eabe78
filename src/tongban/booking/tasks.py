from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from tongban.booking import plans, services


@db_periodic_task(crontab(minute="5"))
@HUEY.lock_task("booking-slots")
def slots_task() -> None:
    """Every hour: the slots of every active resource for the days bookable soon, so a
    day's places exist before it opens (idempotent; plan changes close or reopen)."""
    plans.ensure_window()


@db_periodic_task(crontab(hour="8-20", minute="20"))
@HUEY.lock_task("booking-reminders")
def reminders_task() -> None:
    """Through the day: remind those booked for tomorrow (each booking once, so the
    later runs only catch bookings made since)."""
    services.send_reminders()


@db_periodic_task(crontab(hour="0", minute="30"))
@HUEY.lock_task("booking-no-shows")
def no_shows_task() -> None:
    """After midnight: yesterday's bookings never checked in become no-shows (on the
    resources that say so), with the no-show policy applied."""
    services.sweep_no_shows()
