from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from tongban.hukou.batch import run_batch_job
from tongban.hukou.sweeps import storage_sweep


@db_task(retries=2, retry_delay=10)
def run_batch(job_id: int) -> None:
    run_batch_job(job_id=job_id)


@db_periodic_task(crontab(hour="8", minute="10"))
@HUEY.lock_task("hukou-storage-sweep")
def storage_sweep_task() -> None:
    """Each morning: storage expiry reminders, and the office's list of expired
    storage (each message once, however often or wherever the sweep runs)."""
    storage_sweep()
