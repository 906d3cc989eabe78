"""Writes to person records, and the one audited way to read a plain ID number."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.access import authorize
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.lib import crypto
from tongban.lib.errors import ApplicationError, PermissionDenied, StateConflict
from tongban.lib.masking import mask_id_number, mask_phone
from tongban.people import idnumber
from tongban.people.models import Person, Relation
from tongban.people.signals import people_created

UNMASKABLE = {"id_number": "身份证号", "phone": "手机号"}


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
        raise ApplicationError("person_exists", "该身份证号已登记。", field="id_number")
    if student_number and Person.objects.filter(student_number=student_number).exists():
        raise ApplicationError("student_number_taken", "该学号/工号已属于另一人员。",
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
            raise ApplicationError("person_exists", "该身份证号已登记。", field="id_number") from exc
        record(actor=actor, action="people.create", obj=person, summary=f"新增人员 {name}",
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
        raise ApplicationError("unknown_field", "只能查看身份证号或手机号。", field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ApplicationError("reason_required", "请填写查看完整号码的事由。", field="reason")
    if field == "phone" and not person.phone_enc:
        raise ApplicationError("nothing_to_unmask", "该人员未登记手机号。", field="field")
    record(actor=actor, action="people.unmask", obj=person, role=membership.role,
           org_unit=membership.org_unit,
           summary=f"查看 {person.name} 的完整{UNMASKABLE[field]}",
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
        raise ApplicationError("person_already_bound", "该人员已绑定其他账号。", field="person")
    if Person.objects.filter(account=user).exists():
        raise ApplicationError("account_already_bound", "该账号已绑定其他人员。", field="account")
    person.account = user
    person.save(update_fields=["account", "updated_at"])
    record(actor=actor, action="people.link_account", obj=person,
           summary=f"{person.name} 绑定账号 {user.username}", details={"account": user.pk})
    return person


def _concerns(actor: User, *people: Person) -> bool:
    """Whether the staff member is one of these people: nobody vouches for their own family."""
    return any(p.account_id is not None and p.account_id == actor.pk for p in people)


def _own_relation() -> PermissionDenied:
    return PermissionDenied("own_relation", "不能登记或核实与本人有关的亲属关系，请由其他工作人员办理",
                            field="person")


def relation_refusal(*, actor: User | None, person: Person | None, relative: Person | None,
                     kind: str) -> ApplicationError | None:
    """Why `add_relation` would refuse, or None (also the back office form's check)."""
    if person is None:
        return ApplicationError("required", "请选择本人", field="person")
    if relative is None:
        return ApplicationError("required", "请选择亲属", field="relative")
    if actor is not None:
        try:
            authorize(actor, Action.PEOPLE_EDIT, unit=person.org_unit)
        except ApplicationError as refused:
            return refused
        if _concerns(actor, person, relative):
            return _own_relation()
    if kind not in Relation.Kind.values:
        return ApplicationError("bad_kind", "请选择亲属关系", field="kind")
    if person.pk == relative.pk:
        return ApplicationError("self_relation", "亲属不能是本人", field="relative")
    if Relation.objects.filter(person=person, relative=relative).exists():
        return ApplicationError("relation_exists", "该亲属关系已登记", field="relative")
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
            raise ApplicationError("relation_exists", "该亲属关系已登记", field="relative") from exc
        record(actor=actor, action="people.relation_add", obj=person,
               summary=f"登记 {person.name} 的{relation.get_kind_display()} {relative.name}"
                       + ("（已核实）" if verified else ""),
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
            raise StateConflict("already_verified", "该亲属关系已核实")
        relation.verified_at, relation.verified_by = timezone.now(), actor
        relation.save(update_fields=["verified_at", "verified_by"])
        record(actor=actor, action="people.relation_verify", obj=relation.person,
               summary=f"核实 {relation.person.name} 的{relation.get_kind_display()} {relation.relative.name}",
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
               summary=f"用最新密钥重新加密 {rewritten} 人的身份证号和手机号",
               details={"rewritten": rewritten})
    return rewritten
