"""The household's printable documents: the signed waiver, and the move-out notice.

Both are issued under seal by the act that completes their case (registered with
`cases.documents.issued_with`, sealed and kept in the archive) and every download
serves the stored file. A move-out recorded without a case (an office's correction)
has no sealed notice: it prints without a seal and says so."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from tongban.archive.models import SealedDocument
from tongban.archive.pdf import Document, Heading, KeyValueTable, Paragraph, render
from tongban.cases import documents as case_documents
from tongban.cases.models import Status
from tongban.hukou.models import HouseholdRecord, Waiver


def _waiver_render(waiver: Waiver, *, number: str = "", qr_url: str = "") -> bytes:
    person = waiver.person
    signed = timezone.localtime(waiver.signed_at).strftime("%Y-%m-%d %H:%M:%S")
    return render(Document(
        title=waiver.title, subtitle=f"第 {waiver.agreement.version} 版" + (f" · 文书编号 {number}" if number else ""),
        blocks=[*[Paragraph(line) for line in waiver.text.splitlines() if line.strip()],
                Heading("确认记录"),
                KeyValueTable([("姓名", person.name), ("身份证号", person.id_number_masked),
                               ("学号/工号", person.student_number), ("学院/单位", person.org_unit.name),
                               ("确认方式", f"本人账号 {waiver.account.username} 在线勾选确认"),
                               ("确认时间", signed), ("办件编号", waiver.case.serial),
                               ("正文摘要（SHA-256）", waiver.text_sha256)])],
        footer=case_documents.footer(number) if number else f"通办 · {waiver.case.serial}",
        qr_url=qr_url, qr_label=number))


@case_documents.issued_with("hukou.waive", kind=SealedDocument.Kind.WAIVER, title="集体户口不落户确认书")
def _waiver_for_case(case, *, number: str, qr_url: str) -> bytes:
    return _waiver_render(Waiver.objects.select_related("person__org_unit", "agreement", "account", "case")
                          .get(case=case), number=number, qr_url=qr_url)


def waiver_pdf(waiver: Waiver) -> bytes:
    """The waiver as sealed and stored when it was confirmed."""
    return bytes(case_documents.stored(waiver.case, SealedDocument.Kind.WAIVER).pdf)


def _notice_render(rec: HouseholdRecord, case, *, number: str = "", qr_url: str = "") -> bytes:
    person = rec.person
    return render(Document(
        title="集体户口迁出通知单", subtitle=f"文书编号 {number}" if number else "",
        blocks=[Paragraph(f"{person.name}同学/老师：您的集体户口迁出申请已审批通过，请持本通知单及本人身份证，"
                          f"到{settings.HOUSEHOLD_OFFICE_CONTACT}领取户口迁移材料，并在规定期限内到迁入地公安机关办理落户。"),
                KeyValueTable([("姓名", person.name), ("身份证号", person.id_number_masked),
                               ("学号/工号", person.student_number), ("学院/单位", person.org_unit.name),
                               ("原集体户地址", rec.collective_address), ("迁往地址", rec.destination_address),
                               ("迁入地公安机关", rec.receiving_authority),
                               ("批准日期", rec.moved_out_at.isoformat() if rec.moved_out_at else ""),
                               ("办件编号", case.serial if case else "")]),
                *([] if case else [Paragraph("本通知单由户籍室据档案更正记录打印，未加盖电子签章。")])],
        footer=case_documents.footer(number) if number else f"通办 · {case.serial if case else ''}",
        qr_url=qr_url, qr_label=number, seal_space=bool(case)))


@case_documents.issued_with("hukou.move_out", kind=SealedDocument.Kind.MOVE_OUT, title="集体户口迁出通知单")
def _notice_for_case(case, *, number: str, qr_url: str) -> bytes:
    from tongban.hukou.services import case_person, record_of

    return _notice_render(record_of(case_person(case)), case, number=number, qr_url=qr_url)


def move_out_notice_pdf(rec: HouseholdRecord) -> bytes:
    """The notice as sealed and stored by the approval that moved the person out."""
    case = rec.last_case
    if (case is None or case.status != Status.COMPLETED
            or case.config.get("item", {}).get("effect") != "hukou.move_out"):
        return _notice_render(rec, None)
    return bytes(case_documents.stored(case, SealedDocument.Kind.MOVE_OUT).pdf)
