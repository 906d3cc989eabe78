"""The household's printable documents: the signed waiver, and the move-out notice.

Both are issued under seal by the act that completes their case (registered with
`cases.documents.issued_with`, sealed and kept in the archive) and every download
serves the stored file. A move-out recorded without a case (an office's correction)
has no sealed notice: it prints without a seal and says so."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.archive.models import SealedDocument
from tongban.archive.pdf import Document, Heading, KeyValueTable, Paragraph, render
from tongban.cases import documents as case_documents
from tongban.cases.models import Status
from tongban.hukou.models import HouseholdRecord, Waiver


def _waiver_render(waiver: Waiver, *, number: str = "", qr_url: str = "") -> bytes:
    person = waiver.person
    signed = timezone.localtime(waiver.signed_at).strftime("%Y-%m-%d %H:%M:%S")
    return render(Document(
        title=waiver.title,
        subtitle=(_("Version %(version)s · document number %(number)s") if number else _("Version %(version)s")) % {
            "version": waiver.agreement.version, "number": number},
        blocks=[*[Paragraph(line) for line in waiver.text.splitlines() if line.strip()],
                Heading(_("Confirmation record")),
                KeyValueTable([(_("Full name"), person.name), (_("ID number"), person.id_number_masked),
                               (_("Student/staff number"), person.student_number),
                               (_("College/unit"), person.org_unit.name),
                               (_("Confirmed by"), _("ticked online with own account %(username)s") % {
                                   "username": waiver.account.username}),
                               (_("Confirmed at"), signed), (_("Case number"), waiver.case.serial),
                               (_("Text digest (SHA-256)"), waiver.text_sha256)])],
        footer=case_documents.footer(number) if number else _("Tongban · %(serial)s") % {"serial": waiver.case.serial},
        qr_url=qr_url, qr_label=number))


@case_documents.issued_with("hukou.waive", kind=SealedDocument.Kind.WAIVER, title=gettext_lazy("Collective household "
                                                                                               "waiver confirmation"))
def _waiver_for_case(case, *, number: str, qr_url: str) -> bytes:
    return _waiver_render(Waiver.objects.select_related("person__org_unit", "agreement", "account", "case")
                          .get(case=case), number=number, qr_url=qr_url)


def waiver_pdf(waiver: Waiver) -> bytes:
    """The waiver as sealed and stored when it was confirmed."""
    return bytes(case_documents.stored(waiver.case, SealedDocument.Kind.WAIVER).pdf)


def _notice_render(rec: HouseholdRecord, case, *, number: str = "", qr_url: str = "") -> bytes:
    person = rec.person
    return render(Document(
        title=_("Collective household move-out notice"),
        subtitle=_("Document number %(number)s") % {"number": number} if number else "",
        blocks=[Paragraph(_("%(name)s: your application to move out of the collective household is approved. Please "
                            "take "
                            "this notice and your own ID card to %(office)s to collect the household migration papers, "
                            "and register your household with the receiving public security office within the time "
                            "allowed.") % {"name": person.name, "office": settings.HOUSEHOLD_OFFICE_CONTACT}),
                KeyValueTable([(_("Full name"), person.name), (_("ID number"), person.id_number_masked),
                               (_("Student/staff number"), person.student_number),
                               (_("College/unit"), person.org_unit.name),
                               (_("Former collective household address"), rec.collective_address),
                               (_("Destination address"), rec.destination_address),
                               (_("Receiving public security office"), rec.receiving_authority),
                               (_("Approved on"), rec.moved_out_at.isoformat() if rec.moved_out_at else ""),
                               (_("Case number"), case.serial if case else "")]),
                *([] if case else [Paragraph(_("This notice was printed by the household office from the corrected "
                                               "record; it bears no electronic seal."))])],
        footer=case_documents.footer(number) if number else _("Tongban · %(serial)s") % {
            "serial": case.serial if case else ""},
        qr_url=qr_url, qr_label=number, seal_space=bool(case)))


@case_documents.issued_with("hukou.move_out", kind=SealedDocument.Kind.MOVE_OUT, title=gettext_lazy("Collective "
                                                                                                    "household "
                                                                                                    "move-out notice"))
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
