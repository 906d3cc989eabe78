"""A case's sealed documents: its result notice (办结通知书), and whatever a domain app
issues with a case of its effect (the household's waiver and move-out notice).

A document is sealed once, by the acts it attests, and kept (archive.SealedDocument):
- each approval of a step that needs a signature adds that officer's level to the
  result notice, with their unit's seal, in the same transaction as the decision
  (`seal_level`); the notice is made at the first such act;
- the act that completes the case (`issue_on_completion`) seals what no level sealed
  (a service with no signing step: the officer whose approval completed it, or the
  system for the service's unit when no officer decided) and issues every document;
- a case returned for correction (its content may change) or ended without
  completing voids its notice in progress (`void_open`).
Every download serves the stored bytes (`stored_result`), with one trail entry.

A domain app registers the documents a completion issues in its own `documents`
module (discovered at start-up by cases' AppConfig): `@issued_with("hukou.waive",
kind=..., title=...)` over `def build(case, *, number, qr_url) -> bytes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.archive import selectors as archive
from tongban.archive import services as archive_services
from tongban.archive.models import SealedDocument
from tongban.archive.pdf import Document, Heading, KeyValueTable, Paragraph, render
from tongban.cases.models import Case, Status, WorkItem
from tongban.catalog.forms_runtime import answer_rows
from tongban.lib.errors import StateConflict

Kind = SealedDocument.Kind
_SUFFIX = {Kind.RESULT: "JG", Kind.WAIVER: "CN", Kind.MOVE_OUT: "TZ"}


@dataclass(frozen=True)
class _Issued:
    kind: str
    title: str
    build: Callable[..., bytes]


_issued: dict[str, list[_Issued]] = {}


def issued_with(effect: str, *, kind: str, title: str):
    """Decorator: a completed case whose service has `effect` also issues this
    document, sealed and stored in the completing act."""

    def decorate(build: Callable[..., bytes]) -> Callable[..., bytes]:
        _issued.setdefault(effect, []).append(_Issued(kind, title, build))
        return build

    return decorate


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _number(case: Case, kind: str) -> str:
    """`{serial}-JG`, then `-JG2`… after a voided one (the case's row is locked by the
    act, so two acts never pick the same)."""
    base = f"{case.serial}-{_SUFFIX[kind]}"
    taken = SealedDocument.objects.filter(number__startswith=base).count()
    return base if not taken else f"{base}{taken + 1}"


def footer(number: str) -> str:
    return _("Tongban · document number %(number)s · scan the QR code at the top right, or enter the number at "
             "%(url)s, to verify it") % {"number": number, "url": reverse("archive:verify")}


def _result_pdf(case: Case, *, number: str, qr_url: str) -> bytes:
    return render(Document(
        title=_result_title(case), subtitle=_("Document number %(number)s") % {"number": number},
        blocks=[Paragraph(_("%(applicant)s: your application for “%(service)s” (case number %(serial)s) has been "
                            "approved and is completed.")
                          % {"applicant": case.applicant_name, "service": case.item.name, "serial": case.serial}),
                KeyValueTable([(_("Case number"), case.serial), (_("Service"), case.item.name),
                               (_("Applicant"), case.applicant_name),
                               (_("Submitted at"), _when(case.submitted_at))]),
                Heading(_("Content of the application")),
                KeyValueTable([(label, str(value)) for label, value in answer_rows(case.config, case.answers)]),
                Heading(_("Approvals and seals")),
                Paragraph(_("Each level of approval affixes its electronic seal in turn as it approves; each seal "
                            "names the step, the approver and the sealing unit. The document takes effect from "
                            "its last seal; whether it is genuine is what verifying the seals says."))],
        footer=footer(number), qr_url=qr_url, qr_label=number))


def _start(case: Case, actor, *, kind: str, title: str, build: Callable[..., bytes]) -> SealedDocument:
    number = _number(case, kind)
    pdf = build(case, number=number, qr_url=archive_services.verification_url(number))
    return archive_services.start_document(actor=actor, number=number, kind=kind, title=title,
                                           holder_name=case.applicant_name, subject=case, pdf=pdf)


def _open_result(case: Case, actor) -> SealedDocument:
    found = archive.document_for(subject=case, kind=Kind.RESULT)
    if found is not None:
        return found
    return _start(case, actor, kind=Kind.RESULT, title=_result_title(case), build=_result_pdf)


def _result_title(case: Case) -> str:
    return _("Completion notice of %(service)s") % {"service": case.item.name}


def _signer_name(actor, through) -> str:
    if through is None:
        return str(actor)
    return _("%(actor)s (for %(delegator)s by delegation)") % {"actor": actor, "delegator": through.delegator}


def seal_level(*, case: Case, item: WorkItem, actor, through=None) -> SealedDocument:
    """`actor`'s approval of `item` (a step needing a signature), sealed on the case's
    result notice with `item`'s unit's seal, named for `actor` (and on whose behalf),
    in the decision's own transaction. The case's row is locked by the caller."""
    document = _open_result(case, actor)
    return archive_services.seal_document(actor=actor, document=document, unit=item.org_unit,
                                          level=item.step_name, signer=actor,
                                          signer_name=_signer_name(actor, through))


def _issuance_seal(case: Case, actor, document: SealedDocument, through=None) -> None:
    """A document no level sealed is sealed by the completing act: the officer whose
    approval completed the case, for that step's unit; else the system, for the
    service's unit."""
    last = (case.work_items.filter(outcome=WorkItem.Outcome.APPROVE).select_related("org_unit")
            .order_by("-decided_at", "-id").first())
    if last is not None and actor is not None and last.decided_by_id == getattr(actor, "pk", None):
        archive_services.seal_document(actor=actor, document=document, unit=last.org_unit,
                                       level=last.step_name, signer=actor, signer_name=_signer_name(actor, through))
    else:
        archive_services.seal_document(actor=actor, document=document, unit=case.org_unit,
                                       level=pgettext("event", "Completed"),
                                       signer_name=_("%(unit)s (system seal)") % {"unit": case.org_unit.name})


def issue_on_completion(*, case: Case, actor, through=None) -> list[SealedDocument]:
    """The case has just completed (in this transaction, its row locked): its result
    notice and its effect's documents are sealed where no level did and issued.
    Calling it again issues nothing twice and seals nothing twice."""
    documents = [_open_result(case, actor)]
    for spec in _issued.get(case.config["item"].get("effect", ""), []):
        documents.append(archive.document_for(subject=case, kind=spec.kind)
                         or _start(case, actor, kind=spec.kind, title=spec.title, build=spec.build))
    issued = []
    for document in documents:
        if document.state == SealedDocument.State.SIGNING and not document.seals.exists():
            _issuance_seal(case, actor, document, through)
        issued.append(archive_services.issue_document(actor=actor, document=document))
    return issued


def void_open(*, case: Case, actor, reason: str) -> None:
    """The case was returned (its content may change) or ended without completing: a
    notice still being sealed will not be issued."""
    for document in SealedDocument.objects.filter(subject_type=case._meta.label_lower, subject_id=str(case.pk),
                                                  state=SealedDocument.State.SIGNING):
        archive_services.void_document(actor=actor, document=document, reason=reason)


def stored(case: Case, kind: str = Kind.RESULT) -> SealedDocument:
    """The issued document of `kind` for a completed case. A case completed before
    documents were kept gets its documents issued now, once (its row locked: two
    downloads at once issue one), by the system."""
    if case.status != Status.COMPLETED:
        raise StateConflict("not_completed", _("The case is not completed yet; there is no result to print"))
    found = archive.document_for(subject=case, kind=kind)
    if found is not None and found.state == SealedDocument.State.ISSUED:
        return found
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).select_related("item", "org_unit").get(pk=case.pk)
        for document in issue_on_completion(case=locked, actor=None):
            if document.kind == kind:
                return document
    raise StateConflict("no_document", _("The case has no document of this kind."))


def stored_result(case: Case, *, actor) -> bytes:
    """The result notice as stored, with one trail entry for this download."""
    document = stored(case)
    archive_services.record_download(actor=actor, document=document)
    return bytes(document.pdf)
