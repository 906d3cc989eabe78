"""Writes to person records, and the one audited way to read a plain ID number."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.access import authorize
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.lib import crypto
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.lib.masking import mask_id_number, mask_phone
from tongban.people import idnumber
from tongban.people.models import Person, Relation
from tongban.people.signals import people_created

UNMASKABLE = {"id_number": gettext_lazy("ID number"), "phone": gettext_lazy("Mobile phone")}


@transaction.atomic
def create_person(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    category: str,
    org_unit: OrgUnit,
    student_number: str = "",
    enrolment_year: int | None = None,
    phone: str = "",
) -> Person:
    """Create one person. Refuses an invalid or already registered ID number and a
    student number someone else holds. `actor=None` is the system (demo seeding)."""
    if actor is not None:
        authorize(actor, Action.PEOPLE_EDIT, unit=org_unit)
    parsed = idnumber.parse(id_number)
    index = crypto.blind_index(parsed.number, purpose="id")
    if Person.objects.filter(id_number_index=index).exists():
        raise ApplicationError("person_exists", _("This ID number is registered already."), field="id_number")
    if student_number and Person.objects.filter(student_number=student_number).exists():
        raise ApplicationError("student_number_taken", _("This student or staff number belongs to another person."),
                               field="student_number")
    person = Person(
        name=name, id_number_enc=crypto.encrypt(parsed.number), id_number_index=index,
        id_number_masked=mask_id_number(parsed.number), gender=parsed.gender,
        birth_date=parsed.birth_date, region_code=parsed.region_code, category=category,
        student_number=student_number, org_unit=org_unit, enrolment_year=enrolment_year,
        phone_enc=crypto.encrypt(phone), phone_index=crypto.blind_index(phone, purpose="phone"),
        phone_masked=mask_phone(phone),
    )
    person.full_clean(exclude=["id_number_enc", "id_number_index", "id_number_masked", "phone_enc",
                               "phone_index", "phone_masked", "account"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:  # a concurrent creation of the same person
            raise ApplicationError("person_exists",
                _("This ID number is registered already."), field="id_number") from exc
        record(actor=actor, action="people.create", obj=person, summary=_("Added person %(name)s") % {"name": name},
               details={"category": category, "org_unit": org_unit.pk})
        people_created.send(sender=Person, ids=[person.pk])
    return person


@transaction.atomic
def unmask(*, actor: User, person: Person, field: str, reason: str) -> str:
    """Return the plain ID or phone number of `person`, after checking that `actor` may
    unmask it in the person's unit and has said why; the view is an audit entry.
    Refuses (with no entry) an actor without people.unmask there, an unknown field, a
    missing reason, and a phone number the person never gave."""
    # Permission first: someone who may not unmask is told so, not asked for a reason.
    membership = authorize(actor, Action.PEOPLE_UNMASK, unit=person.org_unit)
    if field not in UNMASKABLE:
        raise ApplicationError("unknown_field",
            _("Only the ID number or the mobile phone can be viewed."), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ApplicationError("reason_required", _("Give the reason for viewing the whole number."), field="reason")
    if field == "phone" and not person.phone_enc:
        raise ApplicationError("nothing_to_unmask", _("This person has no mobile phone registered."), field="field")
    record(actor=actor, action="people.unmask", obj=person, role=membership.role,
           org_unit=membership.org_unit,
           summary=_("Viewed the whole %(field)s of %(name)s") % {"name": person.name, "field": UNMASKABLE[field]},
           details={"field": field, "reason": reason[:200]})
    return person.plain_id_number() if field == "id_number" else person.plain_phone()


@transaction.atomic
def link_account(*, actor: User | None, person: Person, user: User) -> Person:
    """Bind `user`'s account to `person`. Refuses a person already bound to another
    account and an account already bound to another person."""
    if actor is not None:
        authorize(actor, Action.PEOPLE_EDIT, unit=person.org_unit)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.account_id == user.pk:
        return person
    if person.account_id is not None:
        raise ApplicationError("person_already_bound", _("This person is bound to another account."), field="person")
    if Person.objects.filter(account=user).exists():
        raise ApplicationError("account_already_bound", _("This account is bound to another person."), field="account")
    person.account = user
    person.save(update_fields=["account", "updated_at"])
    record(actor=actor, action="people.link_account", obj=person,
           summary=
               _("%(name)s bound to account %(username)s")
                   % {"name": person.name, "username": user.username}, details={"account": user.pk})
    return person


def _concerns(actor: User, *people: Person) -> bool:
    """Whether the staff member is one of these people: nobody vouches for their own family."""
    return any(p.account_id is not None and p.account_id == actor.pk for p in people)


def _own_relation() -> NotAllowed:
    return NotAllowed("own_relation",
        _("You cannot record or verify a relation involving yourself; another staff member must do it"),
                            field="person")


def relation_refusal(*, actor: User | None, person: Person | None, relative: Person | None,
                     kind: str) -> ApplicationError | None:
    """Why `add_relation` would refuse, or None (also the back office form's check)."""
    if person is None:
        return ApplicationError("required", _("Choose the person"), field="person")
    if relative is None:
        return ApplicationError("required", _("Choose the relative"), field="relative")
    if actor is not None:
        try:
            authorize(actor, Action.PEOPLE_EDIT, unit=person.org_unit)
        except ApplicationError as refused:
            return refused
        if _concerns(actor, person, relative):
            return _own_relation()
    if kind not in Relation.Kind.values:
        return ApplicationError("bad_kind", _("Choose the relation"), field="kind")
    if person.pk == relative.pk:
        return ApplicationError("self_relation", _("The relative cannot be the person themselves"), field="relative")
    if Relation.objects.filter(person=person, relative=relative).exists():
        return ApplicationError("relation_exists", _("This relation is recorded already"), field="relative")
    return None


def add_relation(*, actor: User | None, person: Person, relative: Person, kind: str,
                 verified: bool = False, source: str = Relation.Source.STAFF) -> Relation:
    """Record that `relative` is `person`'s `kind` (their child, say), on the trail;
    `verified` (staff who have seen the proof, an import from the office's records)
    makes it one the person's account may apply for at once. Refuses a staff member
    who may not edit `person`'s record, an unknown kind, the person themselves and a
    relation already recorded, and staff who are the person or the relative themselves.
    `actor=None` is the system (an import, demo seeding)."""
    with transaction.atomic():
        refusal = relation_refusal(actor=actor, person=person, relative=relative, kind=kind)
        if refusal is not None:
            raise refusal
        relation = Relation(person=person, relative=relative, kind=kind, source=source)
        if verified:
            relation.verified_at, relation.verified_by = timezone.now(), actor
        try:
            with transaction.atomic():
                relation.save()
        except IntegrityError as exc:  # the same relation recorded at this moment
            raise ApplicationError("relation_exists", _("This relation is recorded already"), field="relative") from exc
        record(actor=actor, action="people.relation_add", obj=person,
               summary=(_("Recorded %(relative)s as %(name)s's %(kind)s (verified)") if verified
                        else _("Recorded %(relative)s as %(name)s's %(kind)s")) % {
                   "name": person.name, "kind": relation.get_kind_display(), "relative": relative.name},
               details={"relation": relation.pk, "relative": relative.pk, "kind": kind, "verified": verified,
                        "source": source})
    return relation


def verify_relation(*, actor: User, relation: Relation) -> Relation:
    """Mark a recorded relation verified (the proof seen), on the trail: from now the
    person's account may apply for the relative. Refuses staff who may not edit the
    person's record or are the person or the relative, and a relation verified already
    (a second tab, a replay)."""
    with transaction.atomic():
        relation = Relation.objects.select_for_update(of=("self",)).select_related(
            "person__org_unit", "relative").get(pk=relation.pk)
        authorize(actor, Action.PEOPLE_EDIT, unit=relation.person.org_unit)
        if _concerns(actor, relation.person, relation.relative):
            raise _own_relation()
        if relation.verified_at is not None:
            raise StateConflict("already_verified", _("This relation is verified already"))
        relation.verified_at, relation.verified_by = timezone.now(), actor
        relation.save(update_fields=["verified_at", "verified_by"])
        record(actor=actor, action="people.relation_verify", obj=relation.person,
               summary=_("Verified %(relative)s as %(name)s's %(kind)s") % {
                   "name": relation.person.name, "kind": relation.get_kind_display(),
                   "relative": relation.relative.name},
               details={"relation": relation.pk, "relative": relation.relative_id, "kind": relation.kind})
    return relation


def reencrypt_people(*, batch_size: int = 500) -> int:
    """Re-encrypt every person's ID number and phone under the newest key (the first of
    FIELD_ENCRYPTION_KEYS), one batch per transaction with its rows locked, so a person
    changed meanwhile is not overwritten with an older value. Values already under the
    newest key are left alone: a second run rewrites nothing. Returns how many people
    were rewritten; once it has run, the older keys can leave the ring."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    rewritten = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(Person.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")
                         .only("pk", "id_number_enc", "phone_enc")[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            changed = []
            for person in batch:
                if not (crypto.is_current(person.id_number_enc) and crypto.is_current(person.phone_enc)):
                    person.id_number_enc = crypto.rotate(person.id_number_enc)
                    person.phone_enc = crypto.rotate(person.phone_enc)
                    changed.append(person)
            Person.objects.bulk_update(changed, ["id_number_enc", "phone_enc"])
            rewritten += len(changed)
    if rewritten:
        record(actor=None, action="people.rotate_keys", object_type="people.person",
               summary=
                   _("Re-encrypted the ID and mobile numbers of %(count)s people with the newest key")
                       % {"count": rewritten},
               details={"rewritten": rewritten})
    return rewritten
