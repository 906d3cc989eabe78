"""A completed case's printable result (办结通知书): what was decided, by whom and when,
with the seal of every unit whose signed step approved it, applied in the order of the
steps. Sealing is done by the system on the unit's behalf (the decision carried the
signature), and each seal is an audit entry, so every print is on the trail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tongban.archive.pdf import Document, Heading, KeyValueTable, Paragraph, render
from tongban.archive.services import seal_pdf
from tongban.cases.forms_runtime import answer_rows
from tongban.cases.models import Case, Status, WorkItem
from tongban.lib.errors import StateConflict


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def result_pdf(case: Case) -> bytes:
    if case.status != Status.COMPLETED:
        raise StateConflict("not_completed", "办件尚未办结，没有办理结果可打印")
    decided = list(case.work_items.filter(outcome=WorkItem.Outcome.APPROVE)
                   .select_related("org_unit", "decided_by").order_by("stage", "id"))
    doc = Document(
        title=f"{case.item.name}办结通知书", subtitle=case.serial,
        blocks=[Paragraph(f"{case.applicant_name}：您申请的“{case.item.name}”已于 {_when(case.completed_at)} 办结。"),
                KeyValueTable([("办件编号", case.serial), ("事项", case.item.name), ("申请人", case.applicant_name),
                               ("提交时间", _when(case.submitted_at)), ("办结时间", _when(case.completed_at))]),
                Heading("申请内容"),
                KeyValueTable([(label, str(value)) for label, value in answer_rows(case.config, case.answers)]),
                Heading("办理过程"),
                KeyValueTable([(f"{w.step_name}（{w.org_unit.name}）",
                                f"{w.get_outcome_display()} · {w.decided_by or ''} · {_when(w.decided_at)}"
                                + (" · 已签章" if w.signed else "")) for w in decided])],
        footer=f"通办 · {case.serial} · 真伪可在 /archive/verify/ 核验")
    pdf = render(doc)
    with transaction.atomic():
        sealed_units = []
        for w in decided:
            if w.signed and w.org_unit_id not in sealed_units:
                pdf = seal_pdf(pdf, unit=w.org_unit, actor=None,
                               reason=f"{case.serial} {w.step_name} 审批签章（{w.decided_by}）")
                sealed_units.append(w.org_unit_id)
    return pdf
