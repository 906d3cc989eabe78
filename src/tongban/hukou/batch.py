"""Batch actions over a filtered list or a selection of household records: remind the
people who have not chosen yet, approve a reviewed selection of move-in cases, export
to Excel. Started by a service (checked, audited), run by a background task that keeps
its progress on the BatchJob row the way every long job does (tongban.people.jobs:
a ProgressKeeper writes it, the page shows its JobProgress)."""

from __future__ import annotations

from collections import Counter

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.access import authorize, refused
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.hukou import selectors
from tongban.hukou.models import BatchJob, Status
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.services import Outgoing, Reach, notify_each
from tongban.people.jobs import JobProgress, ProgressKeeper

PROGRESS_EVERY = 50
MAX_SELECTED = 5000

ACTION_FOR = {BatchJob.Kind.REMIND: Action.PEOPLE_VIEW, BatchJob.Kind.APPROVE: Action.CASE_APPROVE,
              BatchJob.Kind.EXPORT: Action.PEOPLE_EXPORT}


def start_batch(*, actor: User, kind: str, filters: selectors.Filters, selected: list[int] | None = None) -> BatchJob:
    if kind not in BatchJob.Kind.values:
        raise ApplicationError("bad_kind", _("Unknown batch action"), field="kind")
    authorize(actor, ACTION_FOR[kind])
    selected = sorted({int(i) for i in selected or [] if str(i).isdigit()})
    if kind == BatchJob.Kind.APPROVE and not selected:
        raise ApplicationError("nothing_selected", _("First tick the people to approve"), field="selected")
    if len(selected) > MAX_SELECTED:
        raise ApplicationError("too_many", _("At most %(count)s people at a time") % {"count": MAX_SELECTED},
                               field="selected")
    with transaction.atomic():
        job = BatchJob.objects.create(kind=kind, created_by=actor, filters=filters.as_params(), selected=selected)
        record(actor=actor, action=f"hukou.batch_{kind}", obj=job,
               summary=_("Batch action: %(kind)s") % {"kind": job.get_kind_display()},
               details={"filters": job.filters, "selected": len(selected)})
        from tongban.hukou.tasks import run_batch

        transaction.on_commit(lambda: run_batch(job.pk))
    return job


def _targets(job: BatchJob):
    qs = selectors.records(user=job.created_by, filters=selectors.Filters.from_params(job.filters),
                           action=ACTION_FOR[job.kind])
    if job.selected:
        qs = qs.filter(pk__in=job.selected)
    if job.kind == BatchJob.Kind.REMIND:
        qs = qs.filter(status=Status.AWAITING)
    if job.kind == BatchJob.Kind.APPROVE:
        qs = qs.filter(status=Status.SUBMITTED)
    return qs


def run_batch_job(*, job_id: int) -> BatchJob:
    job = BatchJob.objects.select_related("created_by").get(pk=job_id)
    if job.state == BatchJob.State.DONE:
        return job
    targets = _targets(job)
    BatchJob.objects.filter(pk=job.pk).update(state=BatchJob.State.RUNNING, succeeded=0, problems=[], reached={})
    keep = ProgressKeeper(BatchJob, job.pk, done="done", total="total", every=PROGRESS_EVERY)
    keep.start(targets.count())
    run = {BatchJob.Kind.REMIND: _remind, BatchJob.Kind.APPROVE: _approve, BatchJob.Kind.EXPORT: _export}[job.kind]
    try:
        succeeded, problems = run(job, targets, keep)
    except Exception as exc:
        stopped = (_("Stopped: %(error)s") % {"error": exc})[:300]
        BatchJob.objects.filter(pk=job.pk).update(state=BatchJob.State.FAILED, finished_at=timezone.now(),
                                                  problems=[{"name": "", "error": stopped}])
        raise
    BatchJob.objects.filter(pk=job.pk).update(state=BatchJob.State.DONE, finished_at=timezone.now(),
                                              succeeded=succeeded, problems=problems[:500],
                                              done=BatchJob.objects.get(pk=job.pk).total)
    job.refresh_from_db()
    return job


def progress_of(job: BatchJob) -> JobProgress:
    """The job's progress as every long job's page shows it."""
    return JobProgress(job.state, job.get_state_display(), job.done, job.total,
                       reverse("hukou:job", args=[job.pk]))


def _unreachable(person) -> str:
    if not person.phone_enc:
        return _("No account bound and no phone number on record: cannot remind")
    return _("No account bound and the phone number has opted out of texts: cannot remind")


def _remind(job: BatchJob, targets, keep: ProgressKeeper) -> tuple[int, list[dict]]:
    """Each person reminded once a day: through their account when they have bound one,
    else by a text to the phone the import gave them (unless it opted out); each
    reminder written with its record's own transaction. The job keeps how many were
    reached by inbox, by text, and not at all (those listed, with why)."""
    day = timezone.localdate(job.created_at).isoformat()
    reached: Counter = Counter()
    problems = []
    for done, rec in enumerate(targets.select_related("person__account").iterator(chunk_size=500), start=1):
        before = reached[Reach.NONE]
        with transaction.atomic():
            notify_each(event="hukou.choice_reminder", tally=reached, outgoing=[Outgoing.for_person(
                rec.person, f"hukou.choice_reminder:{rec.pk}:{day}",
                {"deadline": _("Ask the security office's household desk if in doubt.")},
                link=reverse("hukou:mine"), obj=rec)])
        if reached[Reach.NONE] > before:
            problems.append({"name": rec.person.name, "error": _unreachable(rec.person)})
        keep(done)
    BatchJob.objects.filter(pk=job.pk).update(reached={r: reached[r] for r in (Reach.INBOX, Reach.SMS, Reach.NONE)})
    return reached[Reach.INBOX] + reached[Reach.SMS], problems


def _approve(job: BatchJob, targets, keep: ProgressKeeper) -> tuple[int, list[dict]]:
    from tongban.cases import services as cases
    from tongban.cases.models import WorkItem
    from tongban.cases.workflow import workable_by

    approved, problems = 0, []
    actor = job.created_by
    for done, rec in enumerate(list(targets.select_related("last_case")), start=1):
        item = (workable_by(actor).filter(case_id=rec.last_case_id).select_related("case").first()
                if rec.last_case_id else None)
        if item is None:
            problems.append({"name": rec.person.name, "error": _("No move-in review that you may decide")})
        else:
            try:
                cases.decide(actor=actor, item=item, outcome=WorkItem.Outcome.APPROVE, comment=_("Approved in a batch"))
                approved += 1
            except (ApplicationError, NotAllowed, StateConflict) as exc:
                problems.append({"name": rec.person.name, "error": exc.message})
        keep(done)
    return approved, problems


EXPORT_HEADERS = [gettext_lazy("College/unit"), gettext_lazy("Name"), gettext_lazy("Student/staff number"),
                  gettext_lazy("ID number"), gettext_lazy("Category"), gettext_lazy("Year of enrolment"),
                  gettext_lazy("Household status"), gettext_lazy("Migration certificate number"),
                  gettext_lazy("Moved in on"), gettext_lazy("Stored until"), gettext_lazy("Moved out to"),
                  gettext_lazy("Moved out on")]


def _export(job: BatchJob, targets, keep: ProgressKeeper) -> tuple[int, list[dict]]:
    from tongban.lib import excel

    def rows_of():
        for done, rec in enumerate(targets.iterator(chunk_size=1000), start=1):
            p = rec.person
            yield [p.org_unit.name, p.name, p.student_number, p.id_number_masked, p.get_category_display(),
                   p.enrolment_year, rec.get_status_display(), rec.certificate_number, rec.moved_in_at,
                   rec.storage_expiry, rec.destination_address, rec.moved_out_at]
            keep(done)

    written = excel.workbook(title=_("Collective household"), header=EXPORT_HEADERS, rows=rows_of())
    rows = written.rows
    # The file is stored first (storage takes no part in a transaction), but only the
    # job's row names it, and that row is written with the export's audit entry: no
    # list of ID numbers can be downloaded that the trail does not show was taken. Had
    # they failed, the stored file, named by nothing, is removed.
    job.result.save(f"hukou-{job.pk}.xlsx", ContentFile(written.content), save=False)
    try:
        with transaction.atomic():
            BatchJob.objects.filter(pk=job.pk).update(result=job.result.name)
            record(actor=job.created_by, action="hukou.export", obj=job,
                   summary=_("Exported the collective household list: %(rows)s people") % {"rows": rows},
                   details={"filters": job.filters, "rows": rows})
    except Exception:
        job.result.delete(save=False)
        raise
    return rows, []


def job_for(*, user: User, pk: int) -> BatchJob:
    """One's own batch job (someone else's is a refusal on the trail: accounts.access)."""
    job = BatchJob.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise refused(user, BatchJob, pk)
    return job

