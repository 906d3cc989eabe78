"""Every change to a household record: the moves a completed (or submitted, or ended)
case makes through its effect, an officer's correction, the waiver signature, and the
records created for newly imported people. Each move checks the transition table,
writes the audit entry, and runs inside the caller's transaction."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tongban.accounts.access import authorize, can
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.hukou.models import HouseholdRecord, Status, Waiver, WaiverAgreement
from tongban.lib.bulk import insert_select
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.people.models import Category, Person

# who belongs in the collective household's books
HOUSEHOLD_CATEGORIES = (Category.UNDERGRADUATE, Category.GRADUATE, Category.STAFF)
MAX_STORAGE_MONTHS = 6

# status -> the statuses a case may move it to
TRANSITIONS: dict[str, set[str]] = {
    Status.AWAITING: {Status.SUBMITTED, Status.WAIVED},
    Status.SUBMITTED: {Status.AWAITING, Status.IN_SCHOOL},
    Status.WAIVED: set(),
    Status.IN_SCHOOL: {Status.STORED, Status.MOVED_OUT},
    Status.STORED: {Status.MOVED_OUT},
    Status.MOVED_OUT: set(),
}

CERTIFICATE_FIELDS = ("certificate_number", "birthplace", "native_place", "previous_address",
                      "issuing_authority", "issue_date")


def ensure_records(person_ids) -> int:
    """Open an "awaiting choice" record for each of these people who belongs in the
    collective household and has none; never touches an existing record (so importing
    the freshman list again changes nobody's choice). Returns how many were opened."""
    ids = list(person_ids)
    if not ids:
        return 0
    # One INSERT … SELECT per chunk: the database picks the people and makes the rows
    # (bulk_create compiled every field of every record: a third of a freshman import).
    quote = connection.ops.quote_name
    people, records = quote(Person._meta.db_table), quote(HouseholdRecord._meta.db_table)
    person_col = quote(HouseholdRecord._meta.get_field("person").column)
    categories = list(HOUSEHOLD_CATEGORIES)
    per = min(5000, (connection.features.max_query_params or 100_000) - 64 - len(categories))
    made = 0
    for start in range(0, len(ids), per):
        chunk = ids[start:start + per]
        source = (f"FROM {people} p WHERE p.id IN ({', '.join(['%s'] * len(chunk))}) "
                  f"AND p.category IN ({', '.join(['%s'] * len(categories))}) "
                  f"AND NOT EXISTS (SELECT 1 FROM {records} h WHERE h.{person_col} = p.id)")
        made += insert_select(HouseholdRecord, columns={"person_id": "p.id"}, source=source,
                              params=[*chunk, *categories], skip_taken=True)
    return made


def record_of(person: Person) -> HouseholdRecord:
    """The person's record, locked for the rest of the transaction; opened as
    "awaiting choice" if they have none yet (the INSERT only then: every household
    act reads its record, and nearly every record exists)."""
    qs = HouseholdRecord.objects.select_related("person", "person__org_unit")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(person=person).first()
    if found is not None:
        return found
    ensure_records([person.pk])
    try:
        return qs.get(person=person)
    except HouseholdRecord.DoesNotExist:
        raise StateConflict("not_in_household",
                            _("%(name)s is outside the collective household's scope (category: %(category)s).") % {
                                "name": person.name, "category": person.get_category_display()}) from None


def _move(rec: HouseholdRecord, to: str, *, actor: User | None, summary: str, case=None,
          correction: str = "", **fields) -> HouseholdRecord:
    old = rec.status
    if not correction and to != old and to not in TRANSITIONS[old]:
        raise StateConflict("illegal_household_transition",
                            _("The household status of %(name)s is “%(status)s” and cannot become “%(to)s”.") % {
                                "name": rec.person.name, "status": rec.get_status_display(), "to": Status(to).label})
    for name, value in fields.items():
        setattr(rec, name, value)
    rec.status = to
    if case is not None:
        rec.last_case = case
    rec.save()
    details = {"from": old, "to": to, **{k: str(v) for k, v in fields.items()}}
    if case is not None:
        details["case"] = case.serial
    if correction:
        details["reason"] = correction
    record(actor=actor, action="hukou.correct" if correction else "hukou.move", obj=rec,
           summary=_("%(act)s: %(name)s %(old)s → %(new)s") % {
               "act": summary, "name": rec.person.name, "old": Status(old).label, "new": Status(to).label},
           details=details)
    return rec


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# --- moves made by cases (see hukou.effects) -------------------------------------------

def case_person(case) -> Person:
    if case.subject_person_id:
        return case.subject_person
    person = Person.objects.filter(account_id=case.applicant_id).first()
    if person is None:
        raise StateConflict("not_bound",
                            _("Please bind your own details (ID number + student/staff number) before using the "
                              "collective household services."))
    return person


def _require(rec: HouseholdRecord, *allowed: str, doing: str) -> None:
    if rec.status not in allowed:
        raise StateConflict("household_status",
                            _("Your household status is “%(status)s”: you cannot %(act)s.") % {
                                "status": rec.get_status_display(), "act": doing})


def move_in_submitted(*, case, actor) -> None:
    rec = record_of(case_person(case))
    _require(rec, Status.AWAITING, Status.SUBMITTED, doing=pgettext("doing",
                                                                    "apply to move into the collective household"))
    if rec.status == Status.SUBMITTED and rec.last_case_id not in (None, case.pk):
        # under review on another case: only that case's resubmission goes on
        raise StateConflict("move_in_under_review",
                            _("You already have a move-in application under review (case number %(serial)s); please "
                              "do not apply again.") % {
                                    "serial": rec.last_case.serial})
    if rec.status == Status.AWAITING:
        _move(rec, Status.SUBMITTED, actor=actor, case=case, summary=_("Move-in application submitted"))


def move_in_ended(*, case, actor) -> None:
    rec = record_of(case_person(case))
    if rec.status == Status.SUBMITTED and rec.last_case_id == case.pk:
        _move(rec, Status.AWAITING, actor=actor, case=case,
              summary=_("Move-in application did not go through; back to awaiting a choice"))


def move_in_completed(*, case, actor) -> None:
    from tongban.cases.services import secrets_of

    rec = record_of(case_person(case))
    _require(rec, Status.AWAITING, Status.SUBMITTED, doing=pgettext("doing", "move into the collective household"))
    answers = {**case.answers, **secrets_of(case)}
    fields = {name: answers.get(name) or "" for name in CERTIFICATE_FIELDS}
    fields["issue_date"] = _parse_date(fields["issue_date"], field="issue_date")
    _move(rec, Status.IN_SCHOOL, actor=actor, case=case, summary=_("Moved into the collective household"),
          collective_address=settings.HUKOU_COLLECTIVE_ADDRESS, moved_in_at=timezone.localdate(), **fields)


DATE_FIELDS = {"issue_date", "graduation_date", "storage_expiry"}


def _parse_date(value, *, field: str) -> dt.date | None:
    if value in (None, "") or isinstance(value, dt.date):
        return value or None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        label = HouseholdRecord._meta.get_field(field).verbose_name
        raise ApplicationError("bad_date", _("%(field)s is not a valid date (e.g. 2026-09-01)") % {"field": label},
                               field=field) from None


def waive_submitted(*, case, actor) -> None:
    rec = record_of(case_person(case))
    _require(rec, Status.AWAITING, doing=pgettext("doing", "choose not to move in"))


def waive_completed(*, case, actor) -> None:
    person = case_person(case)
    rec = record_of(person)
    _require(rec, Status.AWAITING, doing=pgettext("doing", "choose not to move in"))
    answers = case.answers
    if answers.get("agree") != "是":  # i18n: data (the form's answer)
        raise ApplicationError("not_agreed", _("Please read the agreement and tick to agree"), field="agree")
    agreement = WaiverAgreement.objects.filter(version=_int(answers.get("agreement_version"))).first()
    if agreement is None or not agreement.active:
        raise StateConflict("agreement_changed", _("The agreement has been updated: please read it again and confirm."))
    Waiver.objects.create(person=person, account=case.applicant, case=case, agreement=agreement,
                          title=agreement.title, text=agreement.body,
                          text_sha256=hashlib.sha256(agreement.body.encode()).hexdigest(),
                          signed_at=timezone.now())
    _move(rec, Status.WAIVED, actor=actor, case=case, summary=_("Chose not to move in"))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Storage opens to those graduating within this many days, and to those graduated.
STORAGE_OPENS_BEFORE_GRADUATION = dt.timedelta(days=90)
STUDENT_CATEGORIES = (Category.UNDERGRADUATE, Category.GRADUATE)


def is_graduate(rec: HouseholdRecord, today: dt.date | None = None) -> bool:
    """A graduate, for storage (户口暂存): a student whose graduation date the office
    has recorded on the household record, graduated already or graduating within
    STORAGE_OPENS_BEFORE_GRADUATION (applications open before the ceremony)."""
    today = today or timezone.localdate()
    return (rec.person.category in STUDENT_CATEGORIES and rec.graduation_date is not None
            and rec.graduation_date <= today + STORAGE_OPENS_BEFORE_GRADUATION)


def _require_graduate(rec: HouseholdRecord) -> None:
    if is_graduate(rec):
        return
    if rec.person.category not in STUDENT_CATEGORIES:
        why = _("your category is “%(category)s”") % {"category": rec.person.get_category_display()}
    elif rec.graduation_date is None:
        why = _("the school has not recorded your graduation date yet (if you have graduated, please contact "
                "%(office)s)") % {
            "office": settings.HOUSEHOLD_OFFICE_CONTACT}
    else:
        opens = rec.graduation_date - STORAGE_OPENS_BEFORE_GRADUATION
        why = _("your graduation date is %(date)s; you may apply from %(opens)s") % {
            "date": rec.graduation_date, "opens": opens}
    raise StateConflict("not_graduate", _("Household storage is for graduates only: %(why)s.") % {"why": why})


def storage_months(value) -> int:
    """The months asked for: a whole number from 1 to MAX_STORAGE_MONTHS. Anything else
    (7, 0, -1, 2.5, 'abc', nothing) is refused naming the field, never cut to fit."""
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if text.isdigit() and 1 <= int(text) <= MAX_STORAGE_MONTHS:
        return int(text)
    if isinstance(value, float) and value.is_integer() and 1 <= value <= MAX_STORAGE_MONTHS:
        return int(value)
    if text:
        message = _("The months of storage must be a whole number from 1 to %(max)s (you entered “%(text)s”)") % {
            "max": MAX_STORAGE_MONTHS, "text": text[:20]}
    else:
        message = _("The months of storage must be a whole number from 1 to %(max)s") % {"max": MAX_STORAGE_MONTHS}
    raise ApplicationError("bad_months", message, field="months")


def _storable(rec: HouseholdRecord, *, doing: str = "") -> None:
    doing = doing or pgettext("doing", "apply for graduate storage")
    _require(rec, Status.IN_SCHOOL, doing=doing)
    _require_graduate(rec)
    _card_returned(rec, doing=doing)  # a stored household's card stays with the office


def _no_other_open(case, rec: HouseholdRecord, effect: str, what: str) -> None:
    """One open application of a kind per person: a second storage or move-out submitted
    while the first is in hand would be refused only at its approver's desk."""
    from django.db.models import Q

    from tongban.cases.models import OPEN_STATUSES, Case

    mine = Q(subject_person_id=rec.person_id) | Q(subject_person__isnull=True, applicant_id=rec.person.account_id)
    other = (Case.objects.filter(mine, item__effect=effect, status__in=OPEN_STATUSES).exclude(pk=case.pk)
             .order_by("pk").first())
    if other is not None:
        raise StateConflict("already_applied",
                            _("You already have a %(what)s application in hand (case number %(serial)s); please do "
                              "not apply again.") % {
            "what": what, "serial": other.serial})


def store_submitted(*, case, actor) -> None:
    rec = record_of(case_person(case))
    _storable(rec)
    storage_months(case.answers.get("months"))
    _no_other_open(case, rec, "hukou.store", pgettext("application", "household storage"))


def store_completed(*, case, actor) -> None:
    rec = record_of(case_person(case))
    _storable(rec, doing=pgettext("doing", "take graduate storage"))
    months = storage_months(case.answers.get("months"))
    start = timezone.localdate()
    _move(rec, Status.STORED, actor=actor, case=case, summary=_("Graduate storage"),
          storage_start=start, storage_expiry=add_months(start, months))


def _no_card_lookup(person_id: int) -> tuple[str, dt.date] | None:
    return None


# Whether a person holds the household card now is for loans to say, an app above hukou:
# it registers the lookup (the item and its due date, or None) when it starts.
_card_out: Callable[[int], tuple[str, dt.date] | None] = _no_card_lookup


def register_card_lookup(lookup: Callable[[int], tuple[str, dt.date] | None]) -> None:
    global _card_out
    _card_out = lookup


def _card_returned(rec: HouseholdRecord, *, doing: str) -> None:
    """The household card lent out comes back before the household leaves."""
    out = _card_out(rec.person_id)
    if out is not None:
        item, due = out
        raise StateConflict("card_out",
                            _("%(name)s has not returned the borrowed %(item)s (due %(due)s); it must be back before "
                              "you can %(act)s.") % {
                                "name": rec.person.name, "item": item, "due": due, "act": doing})


def _leavable(rec: HouseholdRecord, *, doing: str = "") -> None:
    doing = doing or pgettext("doing", "apply to move out")
    _require(rec, Status.IN_SCHOOL, Status.STORED, doing=doing)
    _card_returned(rec, doing=doing)


def move_out_submitted(*, case, actor) -> None:
    rec = record_of(case_person(case))
    _leavable(rec)
    _no_other_open(case, rec, "hukou.move_out", pgettext("application", "move-out"))


def move_out_completed(*, case, actor) -> None:
    rec = record_of(case_person(case))
    _leavable(rec, doing=pgettext("doing", "move out"))
    _move(rec, Status.MOVED_OUT, actor=actor, case=case, summary=_("Moved out of the collective household"),
          destination_address=str(case.answers.get("destination") or ""),
          receiving_authority=str(case.answers.get("authority") or ""),
          moved_out_at=timezone.localdate())


def in_school_required(*, case, actor) -> None:
    """Services for those whose household is in the collective household (a household
    certificate, say; lending the card itself asks `require_in_school`)."""
    _in_school_or_stored(record_of(case_person(case)))


def not_here_required(*, case, actor) -> None:
    """Services for those whose household is elsewhere (a student's residence proof)."""
    _not_here(record_of(case_person(case)))


def no_change(*, case, actor) -> None:
    """Completing changes no household record."""


def require_in_school(*, person: Person, doing: str) -> HouseholdRecord:
    """The person's record, locked for the rest of the transaction, when it is in
    school (在校集体户); refuses every other status (awaiting a choice, waived, under
    move-in review, stored after graduation, moved out) naming it, and a person outside
    the collective household. For acts on the household card (lending it, say)."""
    rec = record_of(person)
    if rec.status != Status.IN_SCHOOL:
        raise StateConflict("household_not_in_school",
                            _("The collective household status of %(name)s is “%(status)s”: cannot %(act)s (only for "
                              "people in school "
                              "whose household is in the school's collective household).") % {
                                "name": person.name, "status": rec.get_status_display(), "act": doing})
    return rec


# --- before the form opens ---------------------------------------------------------------

def _not_here(rec: HouseholdRecord) -> None:
    if rec.status in (Status.IN_SCHOOL, Status.STORED, Status.SUBMITTED):
        raise StateConflict("household_here", _("Your household is in (or moving into) the school's collective "
                                                "household: this service is not needed."))


def _in_school_or_stored(rec: HouseholdRecord) -> None:
    if rec.status not in (Status.IN_SCHOOL, Status.STORED):
        raise StateConflict("household_not_here", _("This service is only for people whose household is in the "
                                                    "school's collective household; your household "
                              "status is “%(status)s”.") % {"status": rec.get_status_display()})


def _may_borrow_card(rec: HouseholdRecord) -> None:
    """Who may ask to borrow the household card: in school (not stored, waived, under
    review, moved out), and not holding it already: what `loans.services.lend` asks
    at the window, asked when the application opens and is submitted."""
    if rec.status != Status.IN_SCHOOL:
        raise StateConflict("household_not_in_school", _("Only people in school whose household is in the school's "
                                                         "collective household may borrow the household "
                              "card; your household status is “%(status)s”.") % {"status": rec.get_status_display()})
    _card_returned(rec, doing=pgettext("doing", "apply to borrow it again"))


def card_loan_submitted(*, case, actor) -> None:
    _may_borrow_card(record_of(case_person(case)))


# what each effect's `submitted` handler requires of the record, asked again by the guard
PRECONDITIONS = {
    "hukou.card_loan": _may_borrow_card,
    "hukou.move_in": lambda rec: _require(rec, Status.AWAITING, Status.SUBMITTED,
                                        doing=pgettext("doing", "apply to move into the collective household")),
    "hukou.waive": lambda rec: _require(rec, Status.AWAITING, doing=pgettext("doing", "choose not to move in")),
    "hukou.store": _storable,
    "hukou.move_out": _leavable,
    "hukou.in_school_only": _in_school_or_stored,
    "hukou.not_here_only": _not_here,
}


def guard_household(*, actor: User, item, case=None) -> None:
    """The case engine's guard when someone presses 在线申请 (no case yet): a household
    service whose effect needs a status the actor's own record does not have (storage
    for a non-graduate, move-out of a waived record…) is refused before the form
    opens, with the reason. Reads, never writes or locks; someone without a household
    record of their own (a parent applying for a child) is left to the submission,
    whose effect handler decides for the case's subject."""
    check = PRECONDITIONS.get(getattr(item, "effect", "") or "")
    if case is not None or check is None or not actor.is_authenticated:
        return
    rec = HouseholdRecord.objects.filter(person__account=actor).select_related("person").first()
    if rec is not None:
        check(rec)


# --- by hand ---------------------------------------------------------------------------

CORRECTABLE = (*CERTIFICATE_FIELDS, "collective_address", "graduation_date", "storage_expiry",
               "destination_address", "receiving_authority")


def correct(*, actor: User, rec: HouseholdRecord, status: str, reason: str, **fields) -> HouseholdRecord:
    """An officer's correction of a record (a status or a field entered wrong), with
    the reason, audited like every move. Auxiliaries never correct, and nobody corrects
    their own record."""
    authorize(actor, Action.HUKOU_REGISTER, unit=rec.person.org_unit)
    if rec.person.account_id is not None and rec.person.account_id == actor.pk:
        raise NotAllowed("own_record", _("You cannot correct your own household record; please ask another "
                                               "member of staff"), field="status")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason_required", _("Please give the reason for the correction"), field="reason")
    if status not in Status.values:
        raise ApplicationError("bad_status", _("Please choose a household status"), field="status")
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise ApplicationError("bad_field",
                               _("The field %(field)s cannot be corrected") % {"field": sorted(unknown)[0]},
                               field=sorted(unknown)[0])
    for name in DATE_FIELDS & set(fields):
        fields[name] = _parse_date(fields[name], field=name)
    with transaction.atomic():
        locked = record_of(rec.person)
        changed = {k: v for k, v in fields.items() if getattr(locked, k) != v}
        if status == locked.status and not changed:
            raise ApplicationError("nothing_changed", _("Nothing to correct"), field="status")
        return _move(locked, status, actor=actor, summary=_("Household record corrected"), correction=reason, **changed)


FIRST_AGREEMENT = gettext_lazy(
    "I understand that:\n"
    "1. The school offers a collective household to its students and staff; I may choose of my own will to move "
    "my household registration into the school's collective household, or to keep it where it is registered "
    "(not moving in).\n"
    "2. Having chosen not to move in, while at school I must go to the public security office where my household "
    "is registered for household matters (an ID card, household certificates and the like); the school's "
    "collective household cannot handle them for me.\n"
    "3. I confirm that I have truly understood the above and choose of my own will not to move my household "
    "registration into the school's collective household. Should I later need to move in, I must apply in writing "
    "to the household registration office of the security department, which handles it after review.\n"
    "4. This confirmation is submitted online with my own account and has the same effect as a written signature.")
FIRST_AGREEMENT_TITLE = gettext_lazy("Collective household waiver agreement")


def ensure_default_agreement(**kwargs) -> None:
    """After migrate (and after a test flush): the first wording, if there is none. The
    office edits it in the back office until someone signs it, then adds versions."""
    if not WaiverAgreement.objects.exists():
        # in the site's language: `migrate` runs with none active
        with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
            WaiverAgreement.objects.create(version=1, title=str(FIRST_AGREEMENT_TITLE), body=str(FIRST_AGREEMENT),
                                           active=True)


def _may_word(actor: User) -> None:
    """The wording is the household office's (hukou.register) or the service admin's
    (catalog.manage, who words the services in the back office)."""
    if not can(actor, Action.CATALOG_MANAGE):
        authorize(actor, Action.HUKOU_REGISTER)


def edit_agreement(*, actor: User, agreement: WaiverAgreement, title: str, body: str) -> WaiverAgreement:
    """Change a waiver wording that nobody has signed yet; a signed one stays as signed."""
    _may_word(actor)
    with transaction.atomic():
        if agreement.signatures.exists():
            raise StateConflict("agreement_signed", _("Someone has confirmed this version: it cannot be changed; "
                                                      "please add a new version."))
        agreement.title, agreement.body = title, body
        agreement.save()
        record(actor=actor, action="hukou.agreement_edit", obj=agreement,
               summary=_("Changed version %(version)s of the waiver agreement") % {"version": agreement.version})
    return agreement


# --- the applicant's own choice ------------------------------------------------------------

def sign_waiver(*, actor: User, version, agree: bool):
    """The applicant confirms the waiver they read: an application under the office's
    waiver service, submitted and completed at once, whose effect keeps the signed
    record (hukou.waive). Returns the case."""
    from tongban.cases import services as cases
    from tongban.hukou.selectors import service_for

    person = Person.objects.filter(account=actor).first() if actor.is_authenticated else None
    if person is None:
        raise StateConflict("not_bound", _("Please bind your own details (ID number + student/staff number) before "
                                           "using the collective household services."))
    if not agree:
        raise ApplicationError("not_agreed", _("Please read the agreement and tick to agree"), field="agree")
    item = service_for("hukou.waive", person)
    if item is None:
        raise StateConflict("no_service", _("Confirming not to move in is not open yet; please contact %(office)s.") % {
            "office": settings.HOUSEHOLD_OFFICE_CONTACT})
    return cases.submit_new(actor=actor, item=item, answers={"agreement_version": version, "agree": "是"})  # i18n: data


def add_agreement(*, actor: User, title: str, body: str, activate: bool = True) -> WaiverAgreement:
    """A new version of the waiver wording, by default the one shown from now on."""
    _may_word(actor)
    if not body.strip():
        raise ApplicationError("body_required", _("Please write the agreement's text"), field="body")
    with transaction.atomic():
        last = WaiverAgreement.objects.select_for_update().order_by("-version").first()
        if activate:
            WaiverAgreement.objects.filter(active=True).update(active=False)
        agreement = WaiverAgreement.objects.create(version=(last.version + 1) if last else 1, title=title,
                                                   body=body, active=activate)
        record(actor=actor, action="hukou.agreement_add", obj=agreement,
               summary=_("Added version %(version)s of the waiver agreement") % {"version": agreement.version},
               details={"active": activate})
    return agreement
