"""Storage (户口暂存) is for graduates, 1 to 6 months: anything else is refused with the
field named, never cut to fit; a non-graduate is told before the form opens, on their
household page and at submission. The storage sweep runs as a command with --date,
reminding 30, 7 and 1 days before the end, once each."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tongban.cases import services as cases
from tongban.cases.models import Case
from tongban.hukou import services
from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.tests.conftest import CERTIFICATE
from tongban.lib.errors import ApplicationError, StateConflict
from tongban.notify.models import Message
from tongban.people.models import Category


def status_of(person):
    return HouseholdRecord.objects.get(person=person).status


@pytest.fixture
def in_school(world, household, apply, approve):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    return HouseholdRecord.objects.get(person=world.applicant_person)


@pytest.mark.parametrize("months", ["7", "0", "-1", "abc", "2.5", ""])
def test_storage_months_outside_one_to_six_are_refused_naming_the_field(world, household, in_school, graduate,
                                                                        apply, months):
    graduate()
    with pytest.raises(ApplicationError) as refused:
        apply(household.store, months=months)
    assert refused.value.field == "months"
    assert status_of(world.applicant_person) == Status.IN_SCHOOL
    assert not Case.objects.filter(item=household.store).exclude(status="draft").exists()


def test_seven_months_is_refused_on_the_form_page_not_cut_to_six(world, household, in_school, graduate, login):
    graduate()
    client = login(world.applicant)
    case = cases.start_application(actor=world.applicant, item=household.store)
    answer = client.post(f"/cases/{case.pk}/edit/", {"months": "7", "action": "submit"})
    assert "暂存月数须为 1 到 6 之间的整数" in answer.content.decode()
    case.refresh_from_db()
    assert case.status == "draft" and status_of(world.applicant_person) == Status.IN_SCHOOL


def test_months_forged_past_the_submission_are_refused_at_completion_too(world, household, in_school, graduate,
                                                                         apply, approve):
    graduate()
    case = apply(household.store, months="6")
    Case.objects.filter(pk=case.pk).update(answers={**case.answers, "months": 9})  # tampered in the database
    with pytest.raises(ApplicationError) as refused:
        approve(Case.objects.get(pk=case.pk))
    assert refused.value.field == "months"
    assert status_of(world.applicant_person) == Status.IN_SCHOOL


def test_a_student_without_a_recorded_graduation_is_refused_before_the_form_opens(world, household, in_school,
                                                                                 login):
    with pytest.raises(StateConflict) as refused:
        cases.start_application(actor=world.applicant, item=household.store)
    assert refused.value.code == "not_graduate" and "尚未登记您的毕业日期" in refused.value.message
    client = login(world.applicant)
    pressed = client.post(f"/services/{household.store.code}/apply/", follow=True)
    assert "户口暂存仅限毕业生办理" in pressed.content.decode()
    assert not Case.objects.filter(item=household.store).exists()
    page = client.get("/hukou/").content.decode()
    assert f"/services/{household.store.code}/" not in page and "户口暂存仅限毕业生办理" in page
    guide = client.get(f"/services/{household.store.code}/").content.decode()
    assert "户口暂存仅限毕业生办理" in guide and f"/services/{household.store.code}/apply/" not in guide


def test_a_draft_made_before_and_submitted_by_a_non_graduate_is_refused(world, household, in_school, graduate,
                                                                        apply):
    graduate(on=timezone.localdate() + dt.timedelta(days=60))  # graduating soon: the form opens
    case = cases.start_application(actor=world.applicant, item=household.store)
    # the office corrects the graduation date a year on: no longer graduating this term
    graduate(on=timezone.localdate() + dt.timedelta(days=365))
    with pytest.raises(StateConflict) as refused:
        cases.submit(actor=world.applicant, case=case, answers={"months": "3"})
    assert refused.value.code == "not_graduate"
    assert Case.objects.get(pk=case.pk).status == "draft"


def test_staff_may_not_store_whatever_their_record_says(world, household, apply, approve, graduate):
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user, grant_role
    from tongban.people.services import link_account

    teacher = world.person(name="王老师", category=Category.STAFF, student_number="T0002")
    user = create_user(actor=None, username="teacher2", password="x-long-password", display_name="王老师")
    grant_role(actor=None, user=user, role=Role.APPLICANT, org_unit=world.econ)
    link_account(actor=None, person=teacher, user=user)
    approve(apply(household.move_in, user=user, name="王老师", **CERTIFICATE))
    graduate(person=teacher)
    with pytest.raises(StateConflict) as refused:
        cases.start_application(actor=user, item=household.store)
    assert "教职工" in refused.value.message


def test_a_second_move_in_while_one_is_under_review_is_refused(world, household, apply):
    first = apply(household.move_in, name="李同学", **CERTIFICATE)
    with pytest.raises(StateConflict) as refused:  # a second tab's fresh draft, photo and all
        apply(household.move_in, name="李同学", **CERTIFICATE)
    assert refused.value.code == "move_in_under_review" and first.serial in refused.value.message
    assert HouseholdRecord.objects.get(person=world.applicant_person).last_case_id == first.pk


@pytest.mark.parametrize("status, effect", [
    (Status.WAIVED, "move_out"), (Status.AWAITING, "move_out"), (Status.MOVED_OUT, "move_out"),
    (Status.WAIVED, "move_in"), (Status.IN_SCHOOL, "waiver"), (Status.STORED, "store"),
])
def test_a_household_service_whose_status_does_not_fit_is_refused_before_the_form_opens(world, household, status,
                                                                                        effect):
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    if rec.status != status:
        services.correct(actor=world.officer, rec=rec, status=status, reason="测试")
    with pytest.raises(StateConflict):
        cases.start_application(actor=world.applicant, item=getattr(household, effect))
    assert not Case.objects.filter(applicant=world.applicant).exists()


# --- the sweep as a command ----------------------------------------------------------------

def _stored_until(world, expiry):
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    return services.correct(actor=world.officer, rec=rec, status=Status.STORED, reason="线下办理暂存",
                            storage_expiry=expiry.isoformat())


def test_the_storage_sweep_command_reminds_30_7_and_1_days_before_once_each(world):
    expiry = dt.date(2027, 3, 31)
    _stored_until(world, expiry)
    out = io.StringIO()
    for days in (31, 30, 30, 29, 7, 7, 1, 1):
        call_command("storage-sweep", "--date", str(expiry - dt.timedelta(days=days)), stdout=out)
    reminders = Message.objects.filter(event="hukou.storage_expiring", channel="inbox").order_by("id")
    assert [str(m.context["days"]) for m in reminders] == ["30", "7", "1"]
    assert out.getvalue().splitlines()[1] == "到期提醒 1 条，到期待迁出名单通知 0 条。"
    assert out.getvalue().splitlines()[2] == "到期提醒 0 条，到期待迁出名单通知 0 条。"


def test_the_storage_sweep_command_reports_progress_on_a_terminal(world, monkeypatch):
    import sys

    _stored_until(world, dt.date(2027, 3, 31))
    err = io.StringIO()
    err.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", err)
    call_command("storage-sweep", "--date", "2027-03-01", stdout=io.StringIO(), stderr=err)
    assert "已处理 1/1 条暂存记录" in err.getvalue()


def test_the_storage_sweep_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("storage-sweep", "--date", "明天")


def test_the_storage_sweep_is_a_daily_task():
    from tongban.hukou import tasks

    assert tasks.storage_sweep_task.task_class().validate_datetime(dt.datetime(2026, 12, 3, 8, 10, tzinfo=dt.UTC))
    assert not tasks.storage_sweep_task.task_class().validate_datetime(dt.datetime(2026, 12, 3, 9, 10, tzinfo=dt.UTC))


def test_move_out_waits_for_the_household_card_to_come_back(world, household, in_school, apply, login):
    from tongban.loans.models import Loan, Policy

    policy = Policy.objects.create(org_unit=world.security)
    loan = Loan.objects.create(policy=policy, person=world.applicant_person, item="集体户口卡（本人页）",
                               purpose="办理护照", lent_at=timezone.now(), lent_by=world.officer,
                               due_date=timezone.localdate() + dt.timedelta(days=8))
    with pytest.raises(StateConflict) as refused:
        cases.start_application(actor=world.applicant, item=household.move_out)
    assert refused.value.code == "card_out" and "尚未归还" in refused.value.message
    pressed = login(world.applicant).post(f"/services/{household.move_out.code}/apply/", follow=True)
    assert "归还后才能申请迁出" in pressed.content.decode()
    Loan.objects.filter(pk=loan.pk).update(returned_at=timezone.now(), received_by=world.officer)
    case = apply(household.move_out, destination="河北省保定市", authority="莲池派出所")
    assert case.status == "in_approval"


def test_a_graduate_who_never_bound_is_reminded_by_text_and_one_with_no_phone_is_not_counted(world):
    texted = world.person(name="未绑定毕业生", phone="13912345678")
    silent = world.person(name="无手机毕业生")
    expiry = dt.date(2027, 3, 31)
    for person in (texted, silent):
        rec = HouseholdRecord.objects.get(person=person)
        services.correct(actor=world.officer, rec=rec, status=Status.STORED, reason="线下办理暂存",
                         storage_expiry=expiry.isoformat())
    out = io.StringIO()
    call_command("storage-sweep", "--date", str(expiry - dt.timedelta(days=7)), stdout=out)
    assert out.getvalue().strip() == "到期提醒 1 条，到期待迁出名单通知 0 条。"
    sms = Message.objects.get(event="hukou.storage_expiring")
    assert (sms.person_id, sms.recipient_id, sms.channel) == (texted.pk, None, "sms")
    call_command("storage-sweep", "--date", str(expiry - dt.timedelta(days=7)), stdout=out)
    assert Message.objects.filter(event="hukou.storage_expiring").count() == 1


@pytest.mark.parametrize("months, status", [(7, 422), ("0", 422), (-1, 422), (6, 201)])
def test_the_api_refuses_storage_months_outside_one_to_six_naming_the_field(world, household, in_school, graduate,
                                                                           login, months, status):
    import json

    graduate()
    client = login(world.applicant)
    answer = client.post(f"/api/v1/services/{household.store.code}/applications",
                         json.dumps({"answers": {"months": months}, "submit": True}), content_type="application/json")
    assert answer.status_code == status, answer.content
    if status == 422:
        assert answer.json()["field"] == "months" and "1 到 6" in answer.json()["message"]
        assert status_of(world.applicant_person) == Status.IN_SCHOOL


def test_the_api_refuses_storage_to_a_non_graduate(world, household, in_school, login):
    import json

    answer = login(world.applicant).post(f"/api/v1/services/{household.store.code}/applications",
                                         json.dumps({"answers": {"months": 3}, "submit": True}),
                                         content_type="application/json")
    assert answer.status_code in (403, 409) and answer.json()["code"] == "not_graduate"
    assert not Case.objects.filter(item=household.store).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_storage_at_once_remind_each_graduate_once(world):
    from tongban.conftest import at_once, failures
    from tongban.hukou.sweeps import storage_sweep

    expiry = dt.date(2027, 3, 31)
    for n in range(4):
        person = world.person(name=f"毕业生{n}", phone=f"1391234567{n}")
        services.correct(actor=world.officer, rec=HouseholdRecord.objects.get(person=person), status=Status.STORED,
                         reason="线下办理暂存", storage_expiry=expiry.isoformat())
    outcomes = at_once(2, lambda n: storage_sweep(today=expiry - dt.timedelta(days=30)))
    assert failures(outcomes) == []
    assert Message.objects.filter(event="hukou.storage_expiring").count() == 4


@pytest.mark.parametrize("kind", ["store", "move_out"])
def test_a_second_storage_or_move_out_while_one_is_in_hand_is_refused(world, household, in_school, graduate, apply,
                                                                      kind):
    graduate()
    answers = {"store": {"months": "3"}, "move_out": {"destination": "河北省保定市", "authority": "莲池派出所"}}[kind]
    first = apply(getattr(household, kind), **answers)
    with pytest.raises(StateConflict) as refused:  # a second tab's fresh application
        apply(getattr(household, kind), **answers)
    assert refused.value.code == "already_applied" and first.serial in refused.value.message
    assert Case.objects.filter(item=getattr(household, kind)).exclude(status="draft").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_storage_at_once_make_one_application(world, household, in_school, graduate):
    from tongban.conftest import at_once

    graduate()
    drafts = [cases.start_application(actor=world.applicant, item=household.store) for _ in range(2)]
    outcomes = at_once(2, lambda n: cases.submit(actor=world.applicant, case=drafts[n], answers={"months": "3"}))
    assert sorted(o.code if isinstance(o, StateConflict) else "submitted" for o in outcomes) == [
        "already_applied", "submitted"]
    assert Case.objects.filter(item=household.store).exclude(status="draft").count() == 1
