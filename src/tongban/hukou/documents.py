"""The household's printable documents: the signed waiver, and the move-out notice."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from tongban.archive.pdf import Document, Heading, KeyValueTable, Paragraph, render
from tongban.hukou.models import HouseholdRecord, Waiver


def waiver_pdf(waiver: Waiver) -> bytes:
    person = waiver.person
    signed = timezone.localtime(waiver.signed_at).strftime("%Y-%m-%d %H:%M:%S")
    return render(Document(
        title=waiver.title, subtitle=f"第 {waiver.agreement.version} 版",
        blocks=[*[Paragraph(line) for line in waiver.text.splitlines() if line.strip()],
                Heading("确认记录"),
                KeyValueTable([("姓名", person.name), ("身份证号", person.id_number_masked),
                               ("学号/工号", person.student_number), ("学院/单位", person.org_unit.name),
                               ("确认方式", f"本人账号 {waiver.account.username} 在线勾选确认"),
                               ("确认时间", signed), ("办件编号", waiver.case.serial),
                               ("正文摘要（SHA-256）", waiver.text_sha256)])],
        footer=f"通办 · {waiver.case.serial}", seal_space=False))


def move_out_notice_pdf(rec: HouseholdRecord) -> bytes:
    person = rec.person
    case = rec.last_case
    return render(Document(
        title="集体户口迁出通知单",
        blocks=[Paragraph(f"{person.name}同学/老师：您的集体户口迁出申请已审批通过，请持本通知单及本人身份证，"
                          f"到{settings.HOUSEHOLD_OFFICE_CONTACT}领取户口迁移材料，并在规定期限内到迁入地公安机关办理落户。"),
                KeyValueTable([("姓名", person.name), ("身份证号", person.id_number_masked),
                               ("学号/工号", person.student_number), ("学院/单位", person.org_unit.name),
                               ("原集体户地址", rec.collective_address), ("迁往地址", rec.destination_address),
                               ("迁入地公安机关", rec.receiving_authority),
                               ("批准日期", rec.moved_out_at.isoformat() if rec.moved_out_at else ""),
                               ("办件编号", case.serial if case else "")])],
        footer=f"通办 · {case.serial if case else ''}"))
