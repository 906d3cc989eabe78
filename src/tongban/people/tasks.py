from huey.contrib.djhuey import db_task

from tongban.people.jobs import run_import_job


@db_task(retries=2, retry_delay=10)
def run_import(job_id: int) -> None:
    run_import_job(job_id=job_id)
