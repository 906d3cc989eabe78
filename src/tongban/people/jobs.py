"""Long jobs: how every background job keeps its progress on its row and how a page shows
it (JobProgress, ProgressKeeper, the template people/_job_progress.html), and the people
import started from the workbench: the upload becomes an ImportJob, a background task
runs it and keeps its progress on the row, and the page polls that row.

Jobs of the layers above (hukou's batches, later campaigns) use the same two pieces: the
job's runner keeps its progress with a ProgressKeeper, and its page includes the template
with the job's JobProgress, so every long job reports and shows progress one way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.lib.errors import ApplicationError
from tongban.people.imports import import_people
from tongban.people.models import ImportJob


@dataclass(frozen=True)
class JobProgress:
    """What a page shows of a job under way: its state (one of pending, running, done,
    failed) and label, how many items of how many are done, and where to poll."""

    state: str
    label: str
    done: int
    total: int
    poll_url: str
    unit: str = ""  # what is counted, after the number ("行"); nothing for people or records

    @property
    def running(self) -> bool:
        return self.state in ("pending", "running")

    @property
    def percent(self) -> int:
        if not self.total:
            return 0 if self.running else 100
        return min(100, self.done * 100 // self.total)

    @property
    def counts(self) -> str:
        values = {"done": self.done, "total": self.total, "unit": self.unit, "percent": self.percent}
        if self.total and self.unit:
            return _("Processed %(done)s / %(total)s %(unit)s (%(percent)s%%)") % values
        if self.total:
            return _("Processed %(done)s / %(total)s (%(percent)s%%)") % values
        if self.unit:
            return _("Processed %(done)s %(unit)s (%(percent)s%%)") % values
        return _("Processed %(done)s (%(percent)s%%)") % values


class ProgressKeeper:
    """Keeps a job's progress on its row: `keeper(done, total)` writes the counts with one
    UPDATE, at most once every `every` items (and always for the last, `final=True`), so
    a page polling the row sees it move without the job paying a write per item."""

    def __init__(self, model: type[models.Model], pk: int, *, done: str, total: str, every: int = 1):
        self.rows = model._default_manager.filter(pk=pk)
        self.done_field, self.total_field, self.every = done, total, every
        self.last = -1

    def start(self, total: int) -> None:
        self.rows.update(**{self.done_field: 0, self.total_field: total})
        self.last = 0

    def __call__(self, done: int, total: int | None = None, *, final: bool = False) -> None:
        if not final and done - self.last < self.every:
            return
        fields = {self.done_field: done}
        if total is not None:
            fields[self.total_field] = total
        self.rows.update(**fields)
        self.last = done


def import_progress(job: ImportJob, poll_url: str) -> JobProgress:
    return JobProgress(job.status, job.get_status_display(), job.processed_rows, job.total_rows, poll_url,
                       unit=pgettext_lazy("what an import counts", "rows"))


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
        raise ApplicationError("file_type", _("Upload an .xlsx or .csv file."), field="file")
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ApplicationError("file_too_large", _("The file is too large."), field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(created_by=actor, original_name=name[:255], sha256=digest.hexdigest(),
                    dry_run=dry_run)
    job.file.save(f"{digest.hexdigest()[:16]}{Path(name).suffix.lower()}", upload, save=False)
    job.save()
    record(actor=actor, action="people.import_start", obj=job, summary=
        _("Uploaded people import file %(name)s") % {"name": name},
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
    keeper = ProgressKeeper(ImportJob, job.pk, done="processed_rows", total="total_rows")

    def progress(done: int, total: int | None) -> None:
        keeper(done, total or 0)  # import_people calls it once a chunk

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
