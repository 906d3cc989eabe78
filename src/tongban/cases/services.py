"""Every act on a case: one function each, one transaction, with its timeline event,
its audit entry and its messages inside it. Illegal transitions raise StateConflict
(409) and leave the case as it was.

Clock rules: the promised deadline (`due_date`) is counted in working days from
acceptance (from submission when the service has no acceptance); while a case is
returned for correction the clock stops, and on resubmission the deadline moves on
by the working days the applicant took; a step's own deadline starts when its stage
starts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.accounts.access import authorize, can
from tongban.accounts.models import Membership, User
from tongban.accounts.roles import STAFF_ROLES, Action, Role
from tongban.audit.services import appended_last, record
from tongban.cases import documents, guards, rules, workflow
from tongban.cases.models import Case, CaseEvent, Delegation, Status, WorkItem
from tongban.cases.serials import next_serial
from tongban.catalog import effects, forms_runtime, workdays
from tongban.catalog.models import ServiceItem
from tongban.lib import crypto
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.services import notify

# The longest a delegation may run: beyond it, the work is the unit's to reassign.
MAX_DELEGATION_DAYS = 90


# --- helpers -------------------------------------------------------------------------
def _listed(names: Iterable[str]) -> str:
    return pgettext("list separator", ", ").join(names)


def _locked(case: Case) -> Case:
    # Lock the case row only: with select_related, FOR UPDATE would also lock the service
    # item, its version and the org unit, which every concurrent submission shares, and
    # concurrent submissions deadlocked on them (bench/cases_submit_http.py).
    return (Case.objects.select_for_update(of=("self",))
            .select_related("item", "org_unit", "applicant").get(pk=case.pk))


@contextmanager
def _act(*, role: str | None = None) -> Iterator[None]:
    """The transaction of one act on a case, with the audit entries made in it (its
    own, from `_event`, and those of the effects it runs) appended to the trail as its
    last write (`audit.services.appended_last`; bench/cases_submit_http.py). `role`:
    the one the act is done in (Role.APPLICANT for the applicant's own acts); unnamed,
    the trail takes the actor's first role (a query)."""
    with appended_last(role=role):
        yield


def _require(case: Case, *allowed: str, refusal: str) -> None:
    """`refusal`: the whole message for a case in another status, `%(status)s` its label."""
    if case.status not in allowed:
        raise StateConflict("illegal_transition", refusal % {"status": case.get_status_display()},
                            extra={"status": case.status})


def _event(case: Case, actor: User | None, action: str, label: str, *, old: str, comment: str = "",
           through: Delegation | None = None) -> None:
    """The timeline event and trail entry of an act; `through`: the delegation the
    actor acted through, named on both (the actor and on whose behalf)."""
    name = str(actor) if actor else _("System")
    details = {"from": old, "to": case.status, "stage": case.stage}
    if through is not None:
        name = _("%(actor)s (for %(delegator)s by delegation)") % {"actor": actor, "delegator": through.delegator}
        details |= {"on_behalf_of": through.delegator_id, "on_behalf_of_name": str(through.delegator),
                    "delegation": through.pk}
    CaseEvent.objects.create(case=case, actor=actor if actor and actor.is_authenticated else None,
                             actor_name=name[:150], action=action, label=label,
                             comment=comment, from_status=old, to_status=case.status)
    record(actor=actor, action=f"case.{action}", obj=case,
           summary=_("%(case)s %(label)s") % {"case": case.serial or _("Draft"), "label": label},
           details=details)


def _tell_applicant(case: Case, event: str, *, reason: str = "", fact: str = "") -> None:
    notify(event=event, recipients=[case.applicant], key=f"{event}:{case.pk}:{fact or case.updated_at.isoformat()}",
           context={"serial": case.serial or "", "service": case.item.name, "status": case.get_status_display(),
                    "reason": reason}, link=reverse("cases:detail", args=[case.pk]), obj=case)


def _handlers(case: Case, items: Iterable[WorkItem]) -> list[tuple[WorkItem, list[User]]]:
    """Who is told of each item's work: its holders, never the applicant or the subject."""
    involved = workflow.parties(case)
    return [(item, [u for u in workflow.holders(item) if u.pk not in involved]) for item in items]


def _tell_handlers(case: Case, items: Iterable[WorkItem], event: str, *, fact: str,
                   handlers: list[tuple[WorkItem, list[User]]] | None = None) -> None:
    for item, people in handlers if handlers is not None else _handlers(case, items):
        if people:
            notify(event=event, recipients=people, key=f"{event}:{item.pk}:{fact}",
                   context={"serial": case.serial or "", "service": case.item.name, "step": item.step_name,
                            "due": item.due_date.isoformat(), "applicant": case.applicant_name},
                   link=reverse("cases:staff-detail", args=[case.pk]), obj=case)


def _start_workflow(case: Case, actor: User | None, *, today: date,
                    deadlines: workdays.Deadlines | None = None) -> None:
    opened = workflow.enter_stage(case, 1, today=today, deadlines=deadlines)
    case.status = Status.IN_APPROVAL
    if not opened:
        _complete(case, actor)
        return
    case.save()
    _tell_handlers(case, opened, "case.work_arrived", fact="arrived")


def _effect(case: Case, actor: User | None, phase: str) -> None:
    effects.run(case.config["item"].get("effect", ""), case=case, actor=actor, phase=phase)


def _complete(case: Case, actor: User | None) -> None:
    """办结, by whichever path (the last step approved, a workflow with no step to
    open after acceptance or submission): the one place every completion passes, so
    the rule is here. Refuses while a required material is outstanding
    (`outstanding_materials`), naming them; the act that would complete rolls back."""
    outstanding = outstanding_materials(case)
    if outstanding:
        raise StateConflict("material_outstanding",
                            _("These materials are not submitted or await supplement; the case cannot be "
                              "completed: %(materials)s") % {"materials": _listed(m["name"] for m in outstanding)},
                            field="materials", extra={"materials": [m["key"] for m in outstanding]})
    old = case.status
    case.status = Status.COMPLETED
    case.completed_at = timezone.now()
    _effect(case, actor, "complete")
    case.save()
    documents.issue_on_completion(case=case, actor=actor)  # sealed where no level was, and issued
    _event(case, actor, "complete", pgettext("event", "Completed"), old=old)
    _tell_applicant(case, "case.completed", fact="completed")


def secrets_of(case: Case) -> dict:
    return json.loads(crypto.decrypt(case.secrets_enc)) if case.secrets_enc else {}


class IdentityChanged(ApplicationError):
    """An answer that the person record fixes, sent changed (see `_merge_answers`)."""

    def __init__(self, code: str, message: str, *, field: str, case: Case) -> None:
        super().__init__(code, message, field=field)
        self.case = case


def identity_person(case: Case):
    """Whose record the case's identity answers come from (forms_runtime.IDENTITY): its
    subject (a relative, named by a verified relation), else the applicant's own bound
    record; none for an account bound to no one (their answers are their own to give)
    and for an old application on behalf of someone named by free text only."""
    if case.subject_person_id:
        return case.subject_person
    if case.on_behalf:
        return None
    from tongban.people.selectors import own_person

    return own_person(user=case.applicant)


def identity_keys(case: Case) -> set[str]:
    """The fields the page shows read-only: those the record fixes."""
    return set(forms_runtime.identity(case.config, identity_person(case)))


def _same_identity(case: Case, key: str, sent, fixed) -> None:
    """`sent` for an answer the record fixes must be the record's value, or its masked
    form sent back; else IdentityChanged naming the field."""
    field = next(f for f in case.config["fields"] if f["key"] == key)
    shown, _secrets = forms_runtime.split_secrets(case.config, {key: fixed})
    if str(sent) == str(shown[key]):
        return
    try:
        if forms_runtime.clean_value(field, sent) == fixed:
            return
    except ApplicationError:
        pass  # not even a valid answer: not the record's
    if case.subject_person_id:
        message = _("%(field)s comes from the person record of the person applied for and cannot be changed")
    else:
        message = _("%(field)s comes from your own person record and cannot be changed")
    raise IdentityChanged("identity_locked", message % {"field": field["label"]}, field=key, case=case)


@contextmanager
def _identity_attempts_on_trail(actor: User) -> Iterator[None]:
    """A refused change of an identity answer is on the trail: the act rolled back
    with its refusal, so the entry is appended after it, on its own (inside a caller's
    own transaction it goes with that; the API asks `check_identity` first)."""
    try:
        yield
    except IdentityChanged as refused:
        case = refused.case
        with transaction.atomic():
            record(actor=actor, action="case.identity_refused", object_type="cases.case",
                   object_id=str(case.pk or ""), role=Role.APPLICANT,
                   summary=_("%(case)s %(service)s: changing “%(field)s” refused (from the person record)")
                   % {"case": case.serial or _("Draft"), "service": case.item.name, "field": refused.field},
                   details={"item": case.item.code, "field": refused.field,
                            "subject": case.subject_person_id})
        raise


def check_identity(*, actor: User, item: ServiceItem, answers: Mapping[str, object], subject_person=None,
                   case: Case | None = None) -> None:
    """Refuses (IdentityChanged, on the trail) answers that change what the person
    record fixes, before any act: for callers about to act inside a transaction of
    their own, where the trail entry of the refusal would roll back with it."""
    with _identity_attempts_on_trail(actor):
        if case is None:
            case = Case(item=item, version=item.current_version, applicant=actor, subject_person=subject_person)
        fixed = forms_runtime.identity(case.config, identity_person(case))
        for key, value in answers.items():
            if key in fixed:
                _same_identity(case, key, value, fixed[key])


def _store_answers(case: Case, answers: dict) -> None:
    shown, secrets = forms_runtime.split_secrets(case.config, answers)
    case.answers = shown
    case.secrets_enc = crypto.encrypt(json.dumps(secrets, ensure_ascii=False)) if secrets else ""


# --- applying ------------------------------------------------------------------------
def _draft(actor: User, item: ServiceItem, *, on_behalf: str, subject_person) -> Case:
    """A new case under the service's current version, prefilled from the applicant's
    person record (or the relative's, when applying on their behalf with it; without
    it, not prefilled); not written yet."""
    if not actor.is_authenticated:
        raise NotAllowed("login_required", _("Please log in first."))
    if not item.is_published or item.current_version_id is None:
        raise StateConflict("not_published", _("This service is not open for applications yet"))
    from tongban.people.models import Person

    own = Person.objects.filter(account=actor).first()
    if subject_person is not None:
        from tongban.people.selectors import verified_relation_to

        relation = verified_relation_to(user=actor, relative=subject_person)
        if relation is None:
            raise NotAllowed("not_a_verified_relation",
                                   _("You can only apply for family members whose relation has been verified"),
                                   field="relation")
        on_behalf = relation.get_kind_display()  # what the case says: 代子女申请
    elif on_behalf.strip():
        raise ApplicationError("relation_required", _("To apply for someone else, choose them among your verified "
                                                     "relatives (they cannot be typed in)"),
                               field="relation")
    case = Case(item=item, version=item.current_version, applicant=actor,
                applicant_name=own.name if own else str(actor), org_unit=item.org_unit,
                applicant_unit_id=own.org_unit_id if own else None, subject_person=subject_person,
                on_behalf=on_behalf.strip()[:32])
    # for someone else (a child, a relative) without their record at hand, the
    # applicant's own name and ID number would be the wrong person's: nothing
    # is prefilled then
    _store_answers(case, forms_runtime.prefill(case.config, subject_person or (None if case.on_behalf else own)))
    return case


def relative_for(*, actor: User, relation: int | None):
    """The person an application is for when `relation` (the id of one of the actor's
    verified relations, as the pages and the API pick it) is given; None for oneself.
    Refuses anything else with the field named: no one is applied for by free text."""
    if relation is None:
        return None
    from tongban.people.selectors import verified_relations

    found = verified_relations(user=actor).filter(pk=relation).first()
    if found is None:
        raise ApplicationError("not_a_verified_relation",
                                   _("You can only apply for family members whose relation has been verified"),
                                   field="relation")
    return found.relative


def _save_draft_entry(actor: User, case: Case) -> None:
    """The new draft, written, with its trail entry (held to the act's end in `_act`)."""
    case.save()
    record(actor=actor, action="case.draft", obj=case,
           summary=_("New application draft: %(service)s") % {"service": case.item.name},
           details={"item": case.item.code, "version": case.version.number, "on_behalf": case.on_behalf},
           role=Role.APPLICANT)


def start_application(*, actor: User, item: ServiceItem, on_behalf: str = "", subject_person=None,
                      answers: Mapping[str, object] | None = None) -> Case:
    """A draft (see `_draft`); with `answers`, they are checked and kept as `save_draft`
    would (refused, no draft is left)."""
    case = _draft(actor, item, on_behalf=on_behalf, subject_person=subject_person)
    guards.check(actor=actor, item=item)
    with _identity_attempts_on_trail(actor), transaction.atomic():
        if answers:
            _merge_answers(case, answers)
        _save_draft_entry(actor, case)
    return case


def submit_new(*, actor: User, item: ServiceItem, answers: Mapping[str, object], on_behalf: str = "",
               subject_person=None) -> Case:
    """A new application made and submitted in one act (the API's single call): the
    draft with `answers` over its prefill, then `submit` (which asks the guards), in
    one transaction; refused (an answer, a core material it would need), nothing is
    kept."""
    case = _draft(actor, item, on_behalf=on_behalf, subject_person=subject_person)
    with _identity_attempts_on_trail(actor), _act(role=Role.APPLICANT):
        _save_draft_entry(actor, case)
        _submit(actor, case, dict(answers), today=timezone.localdate())
    return case


def save_draft(*, actor: User, case: Case, answers: dict) -> Case:
    """Keep what the applicant typed so far (each value checked, none required yet).
    Values sent back masked (unchanged ID or phone numbers) keep the stored ones. Only
    a change is written, with a trail entry naming the fields changed (not their
    values): the form saves on every change, and a save that changes nothing (a page
    sent again) writes nothing. An answer the person record fixes, sent changed, is
    refused naming the field, and the attempt is on the trail."""
    with _identity_attempts_on_trail(actor), _act(role=Role.APPLICANT):
        case = _locked(case)
        if case.applicant_id != actor.pk:
            raise NotAllowed("not_yours", _("You can only change your own applications."))
        _require(case, Status.DRAFT, Status.RETURNED, refusal=_("The case is now “%(status)s” and cannot be changed"))
        before = {**case.answers, **secrets_of(case)}
        _merge_answers(case, answers)
        after = {**case.answers, **secrets_of(case)}
        changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
        if changed:
            case.save()
            record(actor=actor, action="case.draft_save", obj=case,
                   summary=_("%(case)s answers changed") % {"case": case.serial or _("Draft")},
                   details={"fields": changed})
    return case


def _merge_answers(case: Case, answers: Mapping[str, object]) -> None:
    """`answers` over the stored ones; those the person record fixes come from the
    record (refreshed, should it have changed), and one sent changed is refused
    (`_same_identity`): identity never comes from the form."""
    merged = {**case.answers, **secrets_of(case)}
    fixed = forms_runtime.identity(case.config, identity_person(case))
    # an ID or phone number sent back in the masked form the page showed keeps the stored one;
    # any other answer is taken as written, asterisks and all
    secret = {f["key"] for f in case.config["fields"] if f["type"] in forms_runtime.SECRET_TYPES}
    for key, value in answers.items():
        if key in fixed:
            _same_identity(case, key, value, fixed[key])
        elif key not in secret or "*" not in str(value) or key not in merged:
            merged[key] = value
    _store_answers(case, forms_runtime.clean_answers(case.config, {**merged, **fixed}, complete=False))


def missing_materials(case: Case) -> tuple[list[dict], list[dict]]:
    """Required materials without a file: (core, non-core). The files are looked up
    only when some material is required."""
    answers = {**case.answers}
    needed = [m for m in forms_runtime.applicable_materials(case.config, answers) if m["required"]]
    if not needed:
        return [], []
    have = set(case.attachments.order_by().values_list("material_key", flat=True))
    missing = [m for m in needed if m["key"] not in have]
    return [m for m in missing if m["core"]], [m for m in missing if not m["core"]]


def outstanding_materials(case: Case) -> list[dict]:
    """The required materials a case still lacks, in the form's order: each applicable
    required material without a file, and each accepted as deficient (容缺: missing or
    not acceptable as it was) and not yet supplemented. Read under the case's lock,
    it is what completion checks (`_complete`)."""
    core, non_core = missing_materials(case)
    lacking = {m["key"] for m in [*core, *non_core]} | set(case.deficiencies)
    return [m for m in case.config["materials"] if m["key"] in lacking]


def submit(*, actor: User, case: Case, answers: dict | None = None) -> Case:
    """Submit a draft, or resubmit a returned case; with `answers`, they are merged in
    first as `save_draft` would (one transaction for the form's last values and the
    submission; refused, nothing is kept). Refuses incomplete answers (naming the
    field) and missing core materials; a missing non-core material is left for the
    acceptor to accept with deficiency (容缺)."""
    today = timezone.localdate()
    with _identity_attempts_on_trail(actor), _act(role=Role.APPLICANT):
        case = _locked(case)
        if case.applicant_id != actor.pk:
            raise NotAllowed("not_yours", _("You can only submit your own applications."))
        _require(case, Status.DRAFT, Status.RETURNED, refusal=_("The case is now “%(status)s” and cannot be submitted"))
        _submit(actor, case, answers, today=today)
    return case


def submit_own(*, actor: User, pk: int, answers: Mapping[str, object]) -> Case | None:
    """`submit` from the applicant's form, which knows only the case's id: the case is
    read once, locked, in the submission's transaction (not read by the page and then
    again, locked, by `submit`). `answers` may hold more than the form's fields (the
    posted form): only the fields are taken. None, having done nothing, when it is
    not the actor's own draft or returned case: the page then says why as before."""
    today = timezone.localdate()
    with _identity_attempts_on_trail(actor), _act(role=Role.APPLICANT):
        case = (Case.objects.select_for_update(of=("self",)).select_related("item", "org_unit")
                .filter(pk=pk, applicant_id=actor.pk, status__in=(Status.DRAFT, Status.RETURNED))
                .order_by().first())
        if case is None:
            return None
        case.applicant = actor  # the applicant is the actor: no need to join their row
        keys = forms_runtime.field_keys(case.config)
        _submit(actor, case, {k: v for k, v in answers.items() if k in keys}, today=today)
    return case


def _submit(actor: User, case: Case, answers: dict | None, *, today: date) -> None:
    """The submission of a case locked, the actor's own and submittable, in `_act`."""
    guards.check(actor=actor, item=case.item, case=case)
    _merge_answers(case, answers or {})  # also when none are sent: the identity from the record
    _store_answers(case, forms_runtime.clean_answers(
        case.config, {**case.answers, **secrets_of(case)}, complete=True))
    core, non_core = missing_materials(case)
    if not (case.config["item"]["needs_acceptance"] and case.stage == 0):
        # straight to approval, with no acceptor to accept it with deficiency (容缺):
        # only what was accepted as deficient before may still be missing
        core += [m for m in non_core if m["key"] not in case.deficiencies]
    if core:
        raise ApplicationError("material_missing", _("Please upload %(material)s") % {"material": core[0]["name"]},
                               field=core[0]["key"])
    _effect(case, actor, "submitted")
    old = case.status
    resubmission = old == Status.RETURNED
    case.submitted_at = timezone.now()
    if resubmission and case.due_date:
        paused_since = (case.events.filter(action="return").order_by("-at").values_list("at", flat=True)
                        .first())
        if paused_since:
            taken = workdays.working_days_between(timezone.localtime(paused_since).date(), today,
                                                  unit=case.org_unit)
            case.due_date = workdays.add_working_days(case.due_date, taken, unit=case.org_unit)
    case.return_reason = ""
    deadlines = workdays.Deadlines()  # the case's deadline and its steps', one closure read
    action, label = (("resubmit", _("Resubmitted after correction")) if resubmission
                     else ("submit", _("Submitted the application")))
    opened: list[WorkItem] = []
    fact = f"resubmitted-{case.submitted_at.isoformat()}"
    started = False
    if resubmission and case.stage > 0:
        # back to the stage that returned it, with fresh work items
        case.status = Status.IN_APPROVAL
        opened = workflow.enter_stage(case, case.stage, today=today, deadlines=deadlines)
    elif case.config["item"]["needs_acceptance"]:
        case.status = Status.SUBMITTED
    else:
        case.accepted_at = timezone.now()
        case.due_date = case.due_date or deadlines.add_working_days(
            today, case.config["item"]["guide"]["promised_days"], unit=case.org_unit)
        case.status = Status.IN_APPROVAL  # so the event says where the case went
        action, label, fact, started = "submit", _("Submitted the application"), "arrived", True
        opened = workflow.enter_stage(case, 1, today=today, deadlines=deadlines)
    handlers = _handlers(case, opened)
    # The serial as late as it can be: its counter row stays locked until the
    # commit, and every other submission of the service waits for it.
    if not case.serial:
        case.serial = next_serial(case.config["item"]["serial_prefix"])
    _event(case, actor, action, label, old=old)
    if started and not opened:  # every step skipped: completed at once
        _complete(case, actor)
    else:
        case.save()
        if opened:
            _tell_handlers(case, opened, "case.work_arrived", fact=fact, handlers=handlers)
    _tell_applicant(case, "case.submitted", fact=f"submitted-{case.submitted_at.isoformat()}")


def withdraw(*, actor: User, case: Case, reason: str = "") -> Case:
    """The applicant takes the application back before it is finished."""
    with _act(role=Role.APPLICANT):
        case = _locked(case)
        if case.applicant_id != actor.pk:
            raise NotAllowed("not_yours", _("You can only withdraw your own applications."))
        _require(case, Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.IN_APPROVAL,
                 refusal=_("The case is now “%(status)s” and cannot be withdrawn"))
        old = case.status
        case.status = Status.WITHDRAWN
        case.save()
        if old != Status.DRAFT:
            _effect(case, actor, "ended")
        WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN).update(state=WorkItem.State.CANCELLED)
        documents.void_open(case=case, actor=actor, reason=_("Withdrawn by the applicant"))
        _event(case, actor, "withdraw", _("Withdrawn by the applicant"), old=old, comment=reason)
    return case


# --- acceptance ----------------------------------------------------------------------
def _acceptor(actor: User, case: Case) -> None:
    authorize(actor, Action.CASE_ACCEPT, unit=case.org_unit)
    if actor.pk in workflow.parties(case):
        raise NotAllowed("own_case", _("You cannot handle an application you submitted or that is about you."))


def acceptance_refusal(actor: User, case: Case) -> ApplicationError | None:
    """Why `actor` may not accept, refuse or return `case` at acceptance now, or None:
    the rule of those three acts, for the page's form."""
    try:
        _acceptor(actor, case)
    except NotAllowed as refused:
        return refused
    if case.status != Status.SUBMITTED:
        return StateConflict("illegal_transition", _("The case is now “%(status)s” and cannot be accepted")
                             % {"status": case.get_status_display()})
    return None


def accept(*, actor: User, case: Case, deficient: Iterable[str] = (), comment: str = "") -> Case:
    """Accept a submitted case, optionally with non-core materials missing or not yet
    acceptable (容缺受理, recorded for later supplement); the workflow starts."""
    today = timezone.localdate()
    with _act():
        case = _locked(case)
        _acceptor(actor, case)
        _require(case, Status.SUBMITTED, refusal=_("The case is now “%(status)s” and cannot be accepted"))
        materials = {m["key"]: m for m in case.config["materials"]}
        deficient = list(dict.fromkeys(deficient))
        for key in deficient:
            if key not in materials:
                raise ApplicationError("unknown_material", _("There is no such material"), field="deficient")
            if materials[key]["core"]:
                raise ApplicationError("core_material",
                                       _("%(material)s is a core material and cannot be accepted as deficient")
                                       % {"material": materials[key]["name"]},
                                       field="deficient")
        _core_missing, non_core_missing = missing_materials(case)
        missing = [m["key"] for m in non_core_missing]
        unlisted = [k for k in missing if k not in deficient]
        if unlisted:
            raise ApplicationError("material_missing",
                                   _("%(material)s is not submitted: accept it as deficient or return the case")
                                   % {"material": materials[unlisted[0]]["name"]},
                                   field="deficient")
        old = case.status
        case.deficiencies = deficient
        case.accepted_at = timezone.now()
        deadlines = workdays.Deadlines()  # the case's deadline and its steps', one closure read
        case.due_date = deadlines.add_working_days(today, case.config["item"]["guide"]["promised_days"],
                                                   unit=case.org_unit)
        label = _("Accepted with deficiency") if deficient else pgettext("acceptance", "Accepted")
        note = (_("Materials to supply: %(materials)s")
                % {"materials": _listed(materials[k]["name"] for k in deficient)}
                if deficient else "")
        # recorded before the workflow starts: when every step is skipped the case
        # completes at once, and its timeline must say accepted, then completed
        case.status = Status.IN_APPROVAL
        _event(case, actor, "accept", label, old=old,
               comment=pgettext("clause separator", "; ").join(filter(None, [comment, note])))
        _tell_applicant(case, "case.accepted", reason=note, fact="accepted")
        _start_workflow(case, actor, today=today, deadlines=deadlines)
    return case


def refuse(*, actor: User, case: Case, reason: str) -> Case:
    """Not accepted (不予受理), with the reason the applicant is told."""
    if not reason.strip():
        raise ApplicationError("reason_required", _("Give the reason for not accepting"), field="reason")
    with _act():
        case = _locked(case)
        _acceptor(actor, case)
        _require(case, Status.SUBMITTED, refusal=_("The case is now “%(status)s” and cannot be refused"))
        old = case.status
        case.status = Status.REFUSED
        case.save()
        _effect(case, actor, "ended")
        _event(case, actor, "refuse", _("Not accepted"), old=old, comment=reason)
        _tell_applicant(case, "case.refused", reason=reason, fact="refused")
    return case


def return_at_acceptance(*, actor: User, case: Case, reason: str) -> Case:
    """Back to the applicant for correction before acceptance."""
    if not reason.strip():
        raise ApplicationError("reason_required", _("Give the reason for returning it"), field="reason")
    with _act():
        case = _locked(case)
        _acceptor(actor, case)
        _require(case, Status.SUBMITTED, refusal=_("The case is now “%(status)s” and cannot be returned"))
        _return(case, actor, reason)
    return case


def _return(case: Case, actor: User, reason: str, *, through: Delegation | None = None) -> None:
    old = case.status
    case.status = Status.RETURNED
    case.return_reason = reason
    case.save()
    WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN).update(state=WorkItem.State.CANCELLED)
    documents.void_open(case=case, actor=actor, reason=_("Returned for correction; the application may change"))
    _event(case, actor, "return", _("Return for correction"), old=old, comment=reason, through=through)
    _tell_applicant(case, "case.returned", reason=reason, fact=f"returned-{timezone.now().isoformat()}")


def supplement(*, actor: User, case: Case, material_key: str) -> Case:
    """After a deficient material was uploaded: strike it from the deficiencies."""
    with _act(role=Role.APPLICANT):
        case = _locked(case)
        if case.applicant_id != actor.pk:
            raise NotAllowed("not_yours", _("You can only supplement your own applications."))
        if material_key not in case.deficiencies:
            raise StateConflict("not_deficient", _("This material is not among those to supply"))
        fresh = case.attachments.filter(material_key=material_key)
        if case.accepted_at:
            fresh = fresh.filter(uploaded_at__gte=case.accepted_at)  # a file the window found wanting is not one
        if not fresh.exists():
            raise ApplicationError("material_missing", _("Upload the material first"), field=material_key)
        case.deficiencies = [k for k in case.deficiencies if k != material_key]
        case.save()
        name = {m["key"]: m["name"] for m in case.config["materials"]}[material_key]
        _event(case, actor, "supplement", _("Material supplied"), old=case.status, comment=name)
    return case


def upload_material(*, actor: User, case: Case, material_key: str, upload):
    """One file for one material (`uploads.attach`); a material awaiting supplement is
    struck off (`supplement`) in the same transaction, or neither is kept."""
    from tongban.cases import uploads

    with uploads.stored_files() as stored, _act(role=Role.APPLICANT):
        attachment = uploads.attach(actor=actor, case=case, material_key=material_key, upload=upload)
        stored.append(attachment.file)
        if material_key in attachment.case.deficiencies:
            supplement(actor=actor, case=attachment.case, material_key=material_key)
    return attachment


# --- work items ----------------------------------------------------------------------
def _only_auxiliary(user: User) -> bool:
    """An auxiliary with no other staff role. The applicant role is no staff role: a
    student assistant who also applies is still only an auxiliary."""
    roles = set(Membership.objects.filter(user=user, role__in=STAFF_ROLES).values_list("role", flat=True))
    return roles == {Role.AUXILIARY}


def decision_refusal(actor: User, item: WorkItem) -> NotAllowed | None:
    """Why `actor` may not decide `item` (its case read with it), or None: the rule of
    `decide` before the item's state and the outcome, for the page's buttons."""
    try:
        workflow.authority(actor, item)
    except NotAllowed as refused:
        return refused
    if _only_auxiliary(actor):
        return NotAllowed("auxiliary", _("Auxiliary staff may prepare materials but cannot approve or seal."))
    return None


def claim_refusal(actor: User, item: WorkItem) -> ApplicationError | None:
    """Why `actor` may not claim `item` now (its case read with it), or None: the rule
    of `claim`, for the page's button."""
    if item.state != WorkItem.State.OPEN:
        return StateConflict("not_open", _("This to-do has already been handled"))
    if item.assignee_id and item.assignee_id != actor.pk:
        return StateConflict("claimed", _("This to-do has been claimed by someone else"))
    try:
        workflow.authority(actor, item)
    except NotAllowed as refused:
        return refused
    return None


def claim(*, actor: User, item: WorkItem) -> WorkItem:
    """Take an open work item so colleagues see it is being handled."""
    with transaction.atomic():
        # the item's row alone: its case is read, not locked (a claim changes the item
        # only; every act that changes the item's state writes its row, so waits here)
        item = WorkItem.objects.select_for_update(of=("self",)).select_related("case").get(pk=item.pk)
        refusal = claim_refusal(actor, item)
        if refusal is not None:
            raise refusal
        item.assignee = actor
        item.save(update_fields=["assignee"])
        record(actor=actor, action="case.claim", obj=item.case,
               summary=_("%(case)s claimed “%(step)s”") % {"case": item.case.serial, "step": item.step_name},
               details={"work_item": item.pk})
    return item


def decide(*, actor: User, item: WorkItem, outcome: str, comment: str = "", sign: bool = False) -> Case:
    """Approve, reject or return one step. Refuses someone who does not hold the step's
    role in its unit (or a delegation from such a person), the applicant themselves, an
    auxiliary, and a step needing a signature without one from a signer. Approving the
    last open step of a stage starts the next; after the last stage the case completes
    and its effect runs in this same transaction."""
    if outcome not in WorkItem.Outcome.values:
        raise ApplicationError("bad_outcome", _("Choose the outcome"), field="outcome")
    if outcome != WorkItem.Outcome.APPROVE and not comment.strip():
        raise ApplicationError("reason_required", _("Give a comment or reason"), field="comment")
    today = timezone.localdate()
    with _act():
        case = _locked(Case(pk=item.case_id))
        # the case is locked just above: lock the item's row alone
        item = WorkItem.objects.select_for_update(of=("self",)).select_related("case").get(pk=item.pk)
        if item.state != WorkItem.State.OPEN or case.status != Status.IN_APPROVAL:
            raise StateConflict("not_open", _("This to-do has been handled, or the case is no longer in approval"))
        item.case = case  # with its subject, as locked
        # the delegation acted through (if any) stays locked to the commit: a revocation
        # waits for this decision, or this decision sees the delegation revoked
        through = workflow.authority(actor, item, on=today, lock=True)
        if _only_auxiliary(actor):
            raise NotAllowed("auxiliary", _("Auxiliary staff may prepare materials but cannot approve or seal."))
        if outcome == WorkItem.Outcome.APPROVE:
            guards.check_transition(actor=actor, case=case, act="approve")  # e.g. a required capture missing
        if item.needs_signature and outcome == WorkItem.Outcome.APPROVE:
            if not sign:
                raise ApplicationError("signature_required", _("This step needs a seal"), field="sign")
            authorize(actor, Action.CASE_SIGN, unit=item.org_unit)
        item.state, item.outcome, item.comment = WorkItem.State.DONE, outcome, comment
        item.decided_by, item.decided_at, item.signed = actor, timezone.now(), bool(sign and item.needs_signature)
        item.assignee = item.assignee or actor
        item.save()
        label = _("%(step)s: %(outcome)s") % {"step": item.step_name, "outcome": WorkItem.Outcome(outcome).label}
        if outcome == WorkItem.Outcome.RETURN:
            _return(case, actor, comment, through=through)
            return case
        if outcome == WorkItem.Outcome.REJECT:
            old = case.status
            case.status = Status.REJECTED
            case.completed_at = timezone.now()
            case.save()
            _effect(case, actor, "ended")
            WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN).update(state=WorkItem.State.CANCELLED)
            documents.void_open(case=case, actor=actor, reason=_("Disapproved in approval"))
            _event(case, actor, "reject", label, old=old, comment=comment, through=through)
            _tell_applicant(case, "case.rejected", reason=comment, fact="rejected")
            return case
        _event(case, actor, "approve", label, old=case.status, comment=comment, through=through)
        if item.signed:  # this officer's level, sealed on the result notice by this act
            documents.seal_level(case=case, item=item, actor=actor, through=through)
        if workflow.stage_finished(case):
            opened = workflow.enter_stage(case, case.stage + 1, today=today)
            if opened:
                case.save()
                _tell_handlers(case, opened, "case.work_arrived", fact="arrived")
            else:
                _complete(case, actor)
    return case


# --- urging, delegating, overdue -------------------------------------------------------
def urge(*, actor: User, case: Case) -> int:
    """The applicant urges (催办) an overdue case: its open steps' handlers are told,
    or, while it waits for acceptance past rules.ACCEPTANCE_DAYS working days, the
    window staff who accept for its unit. Refused as `rules.urge_refusal` says (the
    rule the page's button and the API's `actions` show)."""
    now = timezone.now()
    today = timezone.localdate(now)
    with _act(role=Role.APPLICANT):
        case = _locked(case)
        if case.applicant_id != actor.pk:
            raise NotAllowed("not_yours", _("You can only urge your own applications."))
        refusal = rules.urge_refusal(case, now=now)
        if refusal is not None:
            raise refusal
        open_items = list(WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN))
        case.last_urged_at = now
        case.save(update_fields=["last_urged_at", "updated_at"])
        _event(case, actor, "urge", _("Urged by the applicant"), old=case.status)
        if case.status == Status.SUBMITTED:
            involved = workflow.parties(case)
            acceptors = [u for u in _acceptors(case) if u.pk not in involved]
            if acceptors:
                notify(event="case.urged", recipients=acceptors, key=f"case.urged:acceptance:{case.pk}:{today}",
                       context={"serial": case.serial, "service": case.item.name,
                                "step": pgettext("acceptance", "Accept"),
                                "due": rules.acceptance_due(case).isoformat(), "applicant": case.applicant_name},
                       link=reverse("cases:staff-detail", args=[case.pk]), obj=case)
            return len(acceptors)
        _tell_handlers(case, open_items, "case.urged", fact=f"urged-{today.isoformat()}")
    return len(open_items)


def _acceptors(case: Case) -> list[User]:
    """Whoever may accept for the case's unit: a role with case.accept in that unit, or
    reaching its subtree from above."""
    from tongban.accounts.roles import Reach, reach_of

    unit = case.org_unit
    roles = [role for role in Role.values if reach_of(role, Action.CASE_ACCEPT)]
    people = {}
    for m in Membership.objects.filter(user__is_active=True, role__in=roles).select_related("user", "org_unit"):
        reach = reach_of(m.role, Action.CASE_ACCEPT)
        if reach is None or reach == Reach.OWN:
            continue
        if (m.org_unit_id == unit.pk or reach == Reach.ALL
                or (reach == Reach.SUBTREE and unit.path.startswith(m.org_unit.path))):
            people.setdefault(m.user_id, m.user)
    return list(people.values())


def delegate_work(*, actor: User, to: User, start: date, end: date) -> Delegation:
    """Hand one's work to a colleague from `start` to `end` (both included; leave, a
    trip): they may then decide what one has claimed, in the roles and units both hold
    (asked again at every use: a role either loses later passes nothing on). Refuses
    oneself, an inactive account, an auxiliary, someone who holds none of one's roles
    in its unit (an auditor of the same office, say), a start in the past, an end
    before the start, and a range longer than MAX_DELEGATION_DAYS. The delegate is
    told."""
    today = timezone.localdate()
    if to.pk == actor.pk:
        raise ApplicationError("self", _("You cannot delegate to yourself"), field="to")
    if not to.is_active:
        raise ApplicationError("inactive", _("The delegate's account is disabled"), field="to")
    if _only_auxiliary(to):
        raise ApplicationError("auxiliary", _("You cannot delegate to auxiliary staff"), field="to")
    shared = workflow.shared_roles(actor, to)
    if not shared:
        raise ApplicationError("not_same_role",
                               _("The delegate must hold the same handling role as you in the same unit"), field="to")
    if start < today:
        raise ApplicationError("start_past", _("The start date cannot be before today"), field="start")
    if end < start:
        raise ApplicationError("bad_range", _("The end date cannot be before the start date"), field="end")
    if (end - start).days >= MAX_DELEGATION_DAYS:
        raise ApplicationError("too_long", _("A delegation lasts at most %(days)d days")
                               % {"days": MAX_DELEGATION_DAYS}, field="end")
    with transaction.atomic():
        delegation = Delegation.objects.create(delegator=actor, delegate=to, start=start, end=end)
        record(actor=actor, action="case.delegate", obj=delegation,
               summary=_("Delegated to %(to)s from %(start)s to %(end)s") % {"to": to, "start": start, "end": end},
               details={"to": to.pk, "start": start.isoformat(), "end": end.isoformat(),
                        "roles": sorted(f"{role}@{unit}" for role, unit in shared)})
        notify(event="case.delegated", recipients=[to], key=f"case.delegated:{delegation.pk}",
               context={"delegator": str(actor), "start": start.isoformat(), "end": end.isoformat()},
               link=reverse("cases:delegate"), obj=delegation)
    return delegation


def may_revoke(actor: User, delegation: Delegation) -> bool:
    """Its delegator, or whoever grants roles in a unit the delegator works in."""
    if delegation.delegator_id == actor.pk:
        return True
    units = {m.org_unit for m in Membership.objects.filter(user_id=delegation.delegator_id, role__in=STAFF_ROLES)
             .select_related("org_unit")}
    return any(can(actor, Action.ROLE_GRANT, unit=unit) for unit in units)


def revoke_refusal(actor: User, delegation: Delegation) -> ApplicationError | None:
    """Why `actor` may not revoke `delegation` now, or None: the rule of
    `revoke_delegation`, for the pages' buttons."""
    if not may_revoke(actor, delegation):
        return NotAllowed("permission_denied",
                                _("Only the delegator or an admin of the unit may revoke a delegation."))
    if delegation.revoked_at:
        return StateConflict("revoked", _("This delegation is already revoked"))
    if delegation.end < timezone.localdate():
        return StateConflict("ended", _("This delegation has already ended"))
    return None


def revoke_delegation(*, actor: User, delegation: Delegation) -> Delegation:
    """End a delegation at once: from this moment it gives its delegate no work, the
    items its delegator had claimed included; a decision being made through it at
    this moment finishes first (its row is locked by `decide`). By its delegator or an
    admin of their unit (`may_revoke`); refuses one already revoked or ended. The
    delegate (and, when an admin revokes, the delegator) is told."""
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update(of=("self",)).select_related(
            "delegator", "delegate").get(pk=delegation.pk)
        refusal = revoke_refusal(actor, delegation)
        if refusal is not None:
            raise refusal
        delegation.revoked_at, delegation.revoked_by = timezone.now(), actor
        delegation.save(update_fields=["revoked_at", "revoked_by"])
        record(actor=actor, action="case.delegation_revoke", obj=delegation,
               summary=_("Revoked the delegation from %(delegator)s to %(delegate)s")
               % {"delegator": delegation.delegator, "delegate": delegation.delegate},
               details={"delegator": delegation.delegator_id, "delegate": delegation.delegate_id})
        told = [delegation.delegate] + ([delegation.delegator] if actor.pk != delegation.delegator_id else [])
        notify(event="case.delegation_revoked", recipients=told, key=f"case.delegation_revoked:{delegation.pk}",
               context={"delegator": str(delegation.delegator), "start": delegation.start.isoformat(),
                        "end": delegation.end.isoformat()},
               link=reverse("cases:delegate"), obj=delegation)
    return delegation


def flag_overdue(*, today: date | None = None) -> int:
    """Sweep: tell the holders of every open step past its deadline, and the
    supervisors of its unit and the units above, once per step. Idempotent."""
    today = today or timezone.localdate()
    count = 0
    due = WorkItem.objects.filter(state=WorkItem.State.OPEN, due_date__lt=today, overdue_notified_on__isnull=True)
    for item in due.select_related("case__item", "org_unit").iterator():
        with transaction.atomic():
            claimed = WorkItem.objects.filter(pk=item.pk, overdue_notified_on__isnull=True).update(
                overdue_notified_on=today)
            if not claimed:
                continue
            ancestors = [int(p) for p in item.org_unit.path.strip("/").split("/") if p]
            supervisors = [m.user for m in Membership.objects.filter(role=Role.SUPERVISOR, org_unit_id__in=ancestors,
                                                                    user__is_active=True).select_related("user")]
            people = {u.pk: u for u in [*workflow.holders(item, on=today), *supervisors]
                      if u.pk != item.case.applicant_id}
            if people:
                notify(event="case.overdue", recipients=list(people.values()), key=f"case.overdue:{item.pk}",
                       context={"serial": item.case.serial or "", "service": item.case.item.name,
                                "step": item.step_name, "due": item.due_date.isoformat(),
                                "applicant": item.case.applicant_name},
                       link=reverse("cases:staff-detail", args=[item.case_id]), obj=item.case)
            count += 1
    return count



def note_external_answer(*, case: Case, label: str, accepted: bool, detail: str = "") -> None:
    """Another system's answer to a result pushed to it (a gate system taking a return
    to campus), in the words of the app that pushed: on the case's timeline and the
    trail, the case's state unchanged."""
    with transaction.atomic():
        case = _locked(case)
        _event(case, None, "external_ack" if accepted else "external_refused", label[:64], old=case.status,
               comment=detail[:500])
