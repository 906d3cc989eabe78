"""Imports started from the workbench: the upload becomes an ImportJob, a background
task runs it and keeps its progress on the row, and the page polls that row."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.lib.errors import ApplicationError
from tongban.people.imports import import_people
from tongban.people.models import ImportJob

# Called inside the transaction that marks a job done, as `tell(job=..., outcome=...)`. The
# message to the importer is notify's, a layer above people, which registers it at start-up.
finished: list[Callable[..., None]] = []


@transaction.atomic
def start_import(*, actor: User, upload: UploadedFile, dry_run: bool = False) -> ImportJob:
    """Keep the uploaded file and queue its import (after commit). Refuses a file that
    is too large or is not .xlsx/.csv by name."""
    authorize(actor, Action.PEOPLE_IMPORT)
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in {".xlsx", ".csv"}:
        raise ApplicationError("file_type", "请上传 .xlsx 或 .csv 文件。", field="file")
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ApplicationError("file_too_large", "文件过大。", field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(created_by=actor, original_name=name[:255], sha256=digest.hexdigest(),
                    dry_run=dry_run)
    job.file.save(f"{digest.hexdigest()[:16]}{Path(name).suffix.lower()}", upload, save=False)
    job.save()
    record(actor=actor, action="people.import_start", obj=job, summary=f"上传人员导入文件 {name}",
           details={"sha256": job.sha256, "dry_run": dry_run})
    from tongban.people.tasks import run_import

    transaction.on_commit(lambda: run_import(job.pk))
    return job


def run_import_job(*, job_id: int) -> ImportJob:
    """Run (or re-run) a job. Safe to repeat: the import upserts on the ID number."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed_rows=0)

    def progress(done: int, total: int | None) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total or 0)

    try:
        outcome = import_people(actor=job.created_by, path=Path(job.file.path),
                                dry_run=job.dry_run, progress=progress)
    except ApplicationError as exc:
        # The file cannot be read, or its uploader may no longer import: retrying will
        # not help, so the job fails with the reason instead of staying "running".
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=exc.message, finished_at=timezone.now())
        return _discard_file(job)
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, total_rows=outcome.total, processed_rows=outcome.total,
            created_count=outcome.created, updated_count=outcome.updated,
            error_count=len(outcome.errors), report=outcome.report_csv(), finished_at=timezone.now())
        for tell in finished:  # the importer may have left the page (notify tells them, once per job)
            tell(job=job, outcome=outcome)
    return _discard_file(job)


def _discard_file(job: ImportJob) -> ImportJob:
    """A finished job's upload holds raw ID numbers in plain text: once the people are in
    (encrypted) and the report (masked) is kept, the file goes. Its SHA-256 stays."""
    job.refresh_from_db()
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        job.refresh_from_db()
    return job
