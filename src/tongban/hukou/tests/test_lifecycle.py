"""The household record moves only through cases (their effects) or an officer's
audited correction; an illegal move is refused and changes nothing."""

import datetime as dt

import pytest

from tongban.audit.models import AuditEntry
from tongban.cases.models import Case, WorkItem
from tongban.cases.models import Status as CaseStatus
from tongban.hukou import services
from tongban.hukou.models import HouseholdRecord, Status, Waiver, WaiverAgreement
from tongban.hukou.tests.conftest import CERTIFICATE
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.people.models import Category


def status_of(person):
    return HouseholdRecord.objects.get(person=person).status


def test_an_approval_appends_its_own_and_its_effects_entries_as_its_last_write(world, household, apply, approve):
    """The household move the approval's effect makes is audited with the act, at its
    end: the trail's lock is taken once, last, not in the middle of the act."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.archive.services import seal_key_for

    case = apply(household.move_in, name="李同学", **CERTIFICATE)
    # the unit's seal key exists: the first seal of a unit makes it, and a key's
    # creation appends to the trail at once (archive.services, "lock order")
    seal_key_for(actor=None, unit=case.org_unit)
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as ran:
        approve(case)
    sql = [q["sql"] for q in ran.captured_queries]
    writes = [i for i, q in enumerate(sql) if "pg_advisory_xact_lock" in q or q.split(" times: ", 1)[-1].startswith(
        ("INSERT", "UPDATE", "DELETE"))]
    trail = [i for i in writes if "audit_auditentry" in sql[i] or "pg_advisory_xact_lock" in sql[i]]
    assert trail == writes[-len(trail):] and len(trail) == (2 if connection.vendor == "postgresql" else 1)
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", "role"))
    assert entries == [("case.approve", "officer"), ("hukou.move", "officer"),
                       ("archive.document_started", "officer"), ("archive.sealed", "officer"),
                       ("archive.document_issued", "officer"), ("case.complete", "officer")]


def test_students_and_staff_get_an_awaiting_record_and_residents_none(world):
    student = world.person(name="新生")
    staff = world.person(name="教师", category=Category.STAFF)
    resident = world.person(name="居民", category=Category.RESIDENT, unit=world.east_1)
    assert status_of(student) == Status.AWAITING
    assert status_of(staff) == Status.AWAITING
    assert not HouseholdRecord.objects.filter(person=resident).exists()


def test_move_in_submitted_then_approved_puts_the_student_in_school(world, household, apply, approve):
    person = world.applicant_person
    case = apply(household.move_in, name="李同学", **CERTIFICATE)
    assert status_of(person) == Status.SUBMITTED
    approve(case)
    rec = HouseholdRecord.objects.get(person=person)
    assert rec.status == Status.IN_SCHOOL
    assert rec.certificate_number == "QY20250801"
    assert rec.issue_date == dt.date(2025, 8, 1)
    assert rec.collective_address
    assert rec.last_case_id == case.pk
    moves = AuditEntry.objects.filter(action="hukou.move", object_id=str(rec.pk)).order_by("seq")
    assert [m.details["to"] for m in moves] == [Status.SUBMITTED, Status.IN_SCHOOL]
    assert moves.last().details["case"] == case.serial


def test_returned_stays_submitted_and_rejected_or_withdrawn_goes_back_to_awaiting(world, household, apply,
                                                                                     approve):
    from tongban.cases import services as cases

    case = apply(household.move_in, name="李同学", **CERTIFICATE)
    approve(case, WorkItem.Outcome.RETURN, "照片不清晰")
    assert status_of(world.applicant_person) == Status.SUBMITTED
    case = cases.submit(actor=world.applicant, case=Case.objects.get(pk=case.pk))
    approve(case, WorkItem.Outcome.REJECT, "迁移证信息不符")
    assert status_of(world.applicant_person) == Status.AWAITING

    again = apply(household.move_in, name="李同学", **CERTIFICATE)
    assert status_of(world.applicant_person) == Status.SUBMITTED
    cases.withdraw(actor=world.applicant, case=again)
    assert status_of(world.applicant_person) == Status.AWAITING


def test_an_illegal_move_is_refused_and_changes_nothing(world, household, apply, approve):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    entries = AuditEntry.objects.count()
    with pytest.raises(StateConflict) as refused:
        apply(household.move_in, name="李同学", **CERTIFICATE)
    assert "在校集体户" in refused.value.message
    with pytest.raises(StateConflict):
        services.sign_waiver(actor=world.applicant, version=1, agree=True)
    rec.refresh_from_db()
    assert rec.status == Status.IN_SCHOOL
    assert not Case.objects.filter(item=household.move_in, status=CaseStatus.SUBMITTED).exists()
    assert not Waiver.objects.exists()
    # refused before the second move-in's form opened (no draft), and the refused
    # waiver's draft rolled back with it: nothing written
    after = list(AuditEntry.objects.filter(seq__gt=entries).values_list("action", flat=True))
    assert after == [], after


def test_waiver_keeps_the_exact_text_version_account_and_time(world, household):
    agreement = WaiverAgreement.objects.get(active=True)
    case = services.sign_waiver(actor=world.applicant, version=agreement.version, agree=True)
    assert case.status == CaseStatus.COMPLETED
    waiver = Waiver.objects.get(person=world.applicant_person)
    assert waiver.text == agreement.body and waiver.agreement == agreement
    assert waiver.account == world.applicant and waiver.signed_at
    assert len(waiver.text_sha256) == 64
    assert status_of(world.applicant_person) == Status.WAIVED
    # the signed wording can no longer be edited; a new version is the way
    with pytest.raises(StateConflict):
        services.edit_agreement(actor=world.officer, agreement=agreement, title="x", body="changed")


def test_waiver_needs_the_tick_and_the_current_version(world, household):
    with pytest.raises(ApplicationError) as unticked:
        services.sign_waiver(actor=world.applicant, version=1, agree=False)
    assert unticked.value.field == "agree"
    with pytest.raises(StateConflict):
        services.sign_waiver(actor=world.applicant, version=99, agree=True)
    assert status_of(world.applicant_person) == Status.AWAITING
    assert not Case.objects.filter(applicant=world.applicant).exists()


def test_a_graduate_stores_for_the_months_asked_then_moves_out(world, household, apply, approve, graduate):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    graduate()
    approve(apply(household.store, months="4"))
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    assert rec.status == Status.STORED
    assert rec.storage_expiry == services.add_months(rec.storage_start, 4)
    approve(apply(household.move_out, destination="河北省保定市莲池区某街 1 号", authority="莲池派出所"))
    rec.refresh_from_db()
    assert rec.status == Status.MOVED_OUT
    assert rec.destination_address.startswith("河北省") and rec.receiving_authority == "莲池派出所"
    assert rec.moved_out_at is not None


def test_storage_needs_an_in_school_household(world, household, apply):
    with pytest.raises(StateConflict):
        apply(household.store, months="3")
    assert status_of(world.applicant_person) == Status.AWAITING


def test_add_months_keeps_the_day_or_the_month_end():
    assert services.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2026, 7, 1), 6) == dt.date(2027, 1, 1)


def test_correction_by_an_officer_is_audited_with_its_reason(world):
    person = world.person(name="王五")
    rec = HouseholdRecord.objects.get(person=person)
    services.correct(actor=world.officer, rec=rec, status=Status.IN_SCHOOL, reason="2024 年已线下迁入，补录",
                     certificate_number="QY1")
    rec.refresh_from_db()
    assert rec.status == Status.IN_SCHOOL and rec.certificate_number == "QY1"
    entry = AuditEntry.objects.filter(action="hukou.correct").get()
    assert entry.details["reason"] == "2024 年已线下迁入，补录" and entry.actor_id == world.officer.pk


@pytest.mark.parametrize("who", ["college_admin", "auxiliary", "applicant"])
def test_only_an_officer_corrects(world, who):
    rec = HouseholdRecord.objects.get(person=world.person(name="王五"))
    with pytest.raises(NotAllowed):
        services.correct(actor=getattr(world, who), rec=rec, status=Status.IN_SCHOOL, reason="x")
    rec.refresh_from_db()
    assert rec.status == Status.AWAITING


def test_correction_needs_a_reason_and_a_change(world):
    rec = HouseholdRecord.objects.get(person=world.person(name="王五"))
    with pytest.raises(ApplicationError) as no_reason:
        services.correct(actor=world.officer, rec=rec, status=Status.IN_SCHOOL, reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(ApplicationError):
        services.correct(actor=world.officer, rec=rec, status=Status.AWAITING, reason="无变化")
