"""The applicant's API: the catalog and its guides (open to anyone), and applying, in one
call or as a draft with files, then following one's own cases. The same selectors
and services as the pages (tongban.cases): what a page refuses, this refuses, with the
same code and message."""

from __future__ import annotations

import datetime as dt

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tongban.cases import applying, guards, selectors, services, uploads
from tongban.cases.models import Case
from tongban.catalog import eligibility, forms_runtime
from tongban.catalog import selectors as catalog_selectors
from tongban.lib.errors import NotAllowed
from tongban.people.selectors import verified_relations

router = Router()

Answer = str | int | float | bool | None


class Refusal(Schema):
    code: str
    message: str
    field: str | None = None


class Me(Schema):
    username: str
    name: str
    csrf_token: str


class ServiceOut(Schema):
    code: str
    name: str
    category: str
    unit: str
    audience: list[str]
    ways: list[str]


class FieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    options: list[str]
    help: str
    visible_if: str
    prefill: str


class MaterialOut(Schema):
    key: str
    name: str
    description: str
    required: bool
    core: bool
    condition: str
    file_types: list[str]
    max_files: int


class ServicePage(Schema):
    count: int
    items: list[ServiceOut]


class ServiceDetail(ServiceOut):
    version: int
    for_whom: str
    may_apply: bool
    refusal: Refusal | None
    guide: dict
    fields: list[FieldOut]
    materials: list[MaterialOut]


class ApplicationIn(Schema):
    answers: dict[str, Answer] = {}
    on_behalf: str = ""  # refused unless empty: someone else is named by `relation`
    relation: int | None = None  # for someone else: the id of one of GET /relations
    submit: bool = False


class RelationOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    id_number: str  # masked


class AnswersIn(Schema):
    answers: dict[str, Answer] = {}


class ReasonIn(Schema):
    reason: str = ""


class CaseOut(Schema):
    id: int
    serial: str | None
    service: dict
    status: str
    status_label: str
    stage: int
    on_behalf: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_date: dt.date | None
    completed_at: dt.datetime | None


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class FileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    url: str


class CaseMaterial(Schema):
    key: str
    name: str
    required: bool
    core: bool
    deficient: bool
    files: list[FileOut]


class EventOut(Schema):
    action: str
    label: str
    actor: str
    at: dt.datetime
    comment: str


class CaseDetail(CaseOut):
    answers: dict
    return_reason: str
    deficiencies: list[str]
    materials: list[CaseMaterial]
    events: list[EventOut]
    actions: dict[str, bool]
    identity_fields: list[str]  # answers the person record fixes: read-only, a change is refused


# the OpenAPI page's groups
ACCOUNT = pgettext_lazy("API tag", "Account")
SERVICES = pgettext_lazy("API tag", "Services")
APPLYING = pgettext_lazy("API tag", "Applications")
REFUSALS = {401: Refusal, 403: Refusal, 404: Refusal, 409: Refusal, 422: Refusal}
MAX_OFFSET = 100_000


# --- who am I --------------------------------------------------------------------------
@router.get("/me", response={200: Me, 401: Refusal}, tags=[ACCOUNT],
            summary=_("The signed-in account, and the CSRF token that writing requests carry"))
def me(request):
    return {"username": request.user.get_username(), "name": str(request.user), "csrf_token": get_token(request)}


# --- the catalog -----------------------------------------------------------------------
def _service(item) -> dict:
    return {"code": item.code, "name": item.name, "category": item.category, "unit": item.org_unit.name,
            "audience": list(item.audience or []), "ways": list(item.ways or [])}


@router.get("/services", response={200: ServicePage, 422: Refusal}, auth=None, tags=[SERVICES],
            summary=_("Services one can apply for online, found by name, category or code"))
def service_list(request, q: str = "", category: str = "", limit: int = Query(50, ge=1, le=200),
                 offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    items = catalog_selectors.services_for(user=request.user, query=q.strip(), category=category)
    return {"count": len(items), "items": [_service(item) for item in items[offset:offset + limit]]}


@router.get("/services/{code}", response={200: ServiceDetail, 404: Refusal}, auth=None, tags=[SERVICES],
            summary=_("A service's guide, form and materials (current version), and whether the current "
                      "account may apply"))
def service_detail(request, code: str):
    item = selectors.published_item(code=code)
    version = item.current_version
    config = version.config
    if request.user.is_authenticated:
        refused = guards.refusal(actor=request.user, item=item)
    else:  # whom it is for, else that one must sign in first
        refused = eligibility.refusal(request.user, item) or NotAllowed(
            "login_required", gettext("Please sign in first."))
    return {**_service(item), "version": version.number, "guide": config["item"]["guide"],
            "fields": config["fields"], "materials": config["materials"], "for_whom": eligibility.for_whom(item),
            "may_apply": refused is None, "refusal": refused.as_dict() if refused else None}


# --- applying --------------------------------------------------------------------------
# The API takes only the form's own fields: an unknown key is refused, naming it
# (forms_runtime.unknown_answer), where the page's form never sends one.


@router.post("/services/{code}/applications", response={201: CaseDetail, **REFUSALS}, tags=[APPLYING],
             summary=_("Apply: submitted at once when submit is true, else kept as a draft"))
def apply(request, code: str, payload: ApplicationIn):
    item = selectors.published_item(code=code)
    forms_runtime.unknown_answer(item.current_version.config, payload.answers)
    subject = services.relative_for(actor=request.user, relation=payload.relation)
    # a changed identity answer is refused and on the trail before the act's transaction
    services.check_identity(actor=request.user, item=item, answers=payload.answers, subject_person=subject)
    if payload.submit:
        case = services.submit_new(actor=request.user, item=item, answers=payload.answers,
                                   on_behalf=payload.on_behalf, subject_person=subject)
    else:
        # one open draft per service: another is refused with 409 draft_open and its case_id
        case = applying.start_draft(actor=request.user, item=item, on_behalf=payload.on_behalf,
                                    subject_person=subject, answers=payload.answers)
    return Status(201, _detail(case))


@router.get("/relations", response={200: list[RelationOut], 401: Refusal}, tags=[APPLYING],
            summary=_("Relatives one may apply for (verified relations); name one with relation when applying"))
def relations(request):
    return [{"id": r.pk, "kind": r.kind, "kind_label": r.get_kind_display(), "name": r.relative.name,
             "id_number": r.relative.id_number_masked} for r in verified_relations(user=request.user)]


@router.get("/applications", response={200: CasePage, 401: Refusal, 422: Refusal}, tags=[APPLYING],
            summary=_("My cases, newest first"))
def my_cases(request, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    cases = selectors.own_cases(user=request.user)
    return {"count": cases.count(), "items": [_case(case) for case in cases[offset:offset + limit]]}


@router.get("/applications/{pk}", response={200: CaseDetail, **REFUSALS}, tags=[APPLYING],
            summary=_("One of my cases"))
def case_detail(request, pk: int):
    return _reread(request, pk)


@router.patch("/applications/{pk}", response={200: CaseDetail, **REFUSALS}, tags=[APPLYING],
              summary=_("Save the answers of a draft (or of a case returned for correction)"))
def save_draft(request, pk: int, payload: AnswersIn):
    case = selectors.own_case(user=request.user, pk=pk)
    forms_runtime.unknown_answer(case.config, payload.answers)
    services.save_draft(actor=request.user, case=case, answers=payload.answers)
    return _reread(request, pk)


@router.post("/applications/{pk}/submit", response={200: CaseDetail, **REFUSALS}, tags=[APPLYING],
             summary=_("Submit a draft, or resubmit after correction; may carry the last answers"))
def submit(request, pk: int, payload: AnswersIn):
    case = selectors.own_case(user=request.user, pk=pk)
    forms_runtime.unknown_answer(case.config, payload.answers)
    services.submit(actor=request.user, case=case, answers=payload.answers or None)
    return _reread(request, pk)


@router.post("/applications/{pk}/files", response={201: CaseDetail, **REFUSALS}, tags=[APPLYING],
             summary=_("Upload a file for a material (its type known from its content); a material awaiting "
                       "correction is corrected by the upload"))
def upload(request, pk: int, material: Form[str], file: File[UploadedFile]):
    case = selectors.own_case(user=request.user, pk=pk)
    services.upload_material(actor=request.user, case=case, material_key=material, upload=file)
    return Status(201, _reread(request, pk))


@router.post("/applications/{pk}/withdraw", response={200: CaseDetail, **REFUSALS}, tags=[APPLYING],
             summary=_("Withdraw the application"))
def withdraw(request, pk: int, payload: ReasonIn):
    case = selectors.own_case(user=request.user, pk=pk)
    services.withdraw(actor=request.user, case=case, reason=payload.reason)
    return _reread(request, pk)


@router.post("/applications/{pk}/urge", response={200: CaseDetail, **REFUSALS}, tags=[APPLYING],
             summary=_("Urge an overdue case (once a day)"))
def urge(request, pk: int):
    case = selectors.own_case(user=request.user, pk=pk)
    services.urge(actor=request.user, case=case)
    return _reread(request, pk)


# --- answers -----------------------------------------------------------------------------
def _case(case: Case) -> dict:
    return {"id": case.pk, "serial": case.serial, "service": {"code": case.item.code, "name": case.item.name},
            "status": case.status, "status_label": case.get_status_display(), "stage": case.stage,
            "on_behalf": case.on_behalf, "created_at": case.created_at, "submitted_at": case.submitted_at,
            "accepted_at": case.accepted_at, "due_date": case.due_date, "completed_at": case.completed_at}


def _reread(request, pk: int) -> dict:
    """The case as the act left it."""
    return _detail(selectors.own_case(user=request.user, pk=pk))


def _detail(case: Case) -> dict:
    """The case as its page shows it (answers with ID and phone numbers masked)."""
    materials = selectors.case_materials(case)
    return {**_case(case), "answers": case.answers, "return_reason": case.return_reason,
            "deficiencies": list(case.deficiencies),
            "materials": [{"key": m["key"], "name": m["name"], "required": m["required"], "core": m["core"],
                           "deficient": m["key"] in case.deficiencies,
                           "files": [_file(case, f) for f in m["files"]]} for m in materials],
            "events": [{"action": e.action, "label": e.label, "actor": e.actor_name, "at": e.at, "comment": e.comment}
                       for e in case.events.all()],
            "actions": selectors.applicant_may(case), "identity_fields": sorted(services.identity_keys(case))}


def _file(case: Case, attachment) -> dict:
    return {"id": attachment.pk, "name": uploads.download_name(attachment), "size": attachment.size,
            "sha256": attachment.sha256, "uploaded_at": attachment.uploaded_at,
            "url": reverse("cases:download", args=[case.pk, attachment.pk])}
