"""Importing the freshman list opens "awaiting choice" records and never changes a choice
already made; the storage sweep's reminders and the office's list go out once each."""

import datetime as dt
import io

import pytest
from django.core import mail  # noqa: F401  (the email backend is the test one)
from django.utils import timezone
from openpyxl import load_workbook

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.hukou import batch, selectors, services
from tongban.hukou.models import BatchJob, HouseholdRecord, Status
from tongban.hukou.sweeps import storage_sweep
from tongban.hukou.tests.conftest import CERTIFICATE
from tongban.notify.models import Message
from tongban.people import idnumber
from tongban.people.imports import import_people
from tongban.people.models import Person
from tongban.people.services import link_account

HEADER = "姓名,身份证号,学号,学院,人员类别,入学年份,手机号\n"


@pytest.fixture
def run_batch(django_capture_on_commit_callbacks):
    """start_batch, with the job it queues after commit run there and then."""

    def _run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = batch.start_batch(**kwargs)
        job.refresh_from_db()
        return job

    return _run


def freshmen_csv(path, *, renamed=""):
    rows = [f"{renamed or '新生甲'},{idnumber.make('130602', dt.date(2007, 5, 1), 501)},2026001,经济学院,本科生,2026,",
            f"新生乙,{idnumber.make('130602', dt.date(2007, 6, 1), 502)},2026002,法学院,本科生,2026,"]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_reimporting_the_freshman_list_changes_no_choice(world, household, tmp_path):
    path = freshmen_csv(tmp_path / "freshmen.csv")
    first = import_people(actor=world.officer, path=path)
    assert first.created == 2
    jia = Person.objects.get(student_number="2026001")
    assert HouseholdRecord.objects.get(person=jia).status == Status.AWAITING
    # 甲 binds an account and waives
    user = create_user(actor=None, username="jia", password="x-long-password", display_name="甲")
    grant_role(actor=None, user=user, role=Role.APPLICANT, org_unit=world.econ)
    link_account(actor=None, person=jia, user=user)
    services.sign_waiver(actor=user, version=1, agree=True)
    # the office imports the list again, with a corrected name
    again = import_people(actor=world.officer, path=freshmen_csv(tmp_path / "again.csv", renamed="新生甲改"))
    assert again.created == 0 and again.updated == 1
    assert HouseholdRecord.objects.get(person=jia).status == Status.WAIVED
    assert HouseholdRecord.objects.filter(person__student_number="2026002", status=Status.AWAITING).exists()
    assert HouseholdRecord.objects.count() == Person.objects.count()


def _stored(world, household, apply, approve, graduate):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    graduate()
    approve(apply(household.store, months="6"))
    return HouseholdRecord.objects.get(person=world.applicant_person)


def storage_messages(event="hukou.storage_expiring"):
    return Message.objects.filter(event=event, channel="inbox")


def test_storage_reminders_go_out_once_each_even_when_the_sweep_runs_twice(world, household, apply, approve,
                                                                          graduate):
    rec = _stored(world, household, apply, approve, graduate)
    expiry = rec.storage_expiry
    storage_sweep(today=expiry - dt.timedelta(days=40))
    assert storage_messages().count() == 0
    for _ in range(2):
        storage_sweep(today=expiry - dt.timedelta(days=30))
    assert storage_messages().count() == 1
    # a day later the 30-day reminder is not repeated
    storage_sweep(today=expiry - dt.timedelta(days=29))
    assert storage_messages().count() == 1
    for days in (7, 7, 6, 1, 1):
        storage_sweep(today=expiry - dt.timedelta(days=days))
    assert storage_messages().count() == 3
    assert "还有 1 天" in storage_messages().order_by("-id").first().body


def test_expired_storage_lands_on_the_office_list_once(world, household, apply, approve, graduate):
    rec = _stored(world, household, apply, approve, graduate)
    after = rec.storage_expiry + dt.timedelta(days=1)
    storage_sweep(today=after)
    storage_sweep(today=after)
    storage_sweep(today=after + dt.timedelta(days=1))
    office = storage_messages("hukou.storage_expired")
    assert office.count() == 1
    assert office.get().recipient == world.officer
    assert "1 人" in office.get().subject
    assert office.get().link == "/workbench/hukou/?expired=1"
    HouseholdRecord.objects.filter(pk=rec.pk).update(storage_expiry=timezone.localdate() - dt.timedelta(days=1))
    listed = selectors.records(user=world.officer, filters=selectors.Filters(expired=True))
    assert [r.pk for r in listed] == [rec.pk]


def test_batch_remind_reaches_the_bound_who_have_not_chosen_once_a_day(world, household, run_batch):
    world.person(name="未绑定")  # awaiting, no account: reported, not reminded
    job = run_batch(actor=world.officer, kind=BatchJob.Kind.REMIND, filters=selectors.Filters())
    job.refresh_from_db()
    assert job.state == BatchJob.State.DONE and job.total == 2 and job.succeeded == 1
    assert job.problems == [{"name": "未绑定", "error": "尚未绑定账号，也没有登记手机号，无法提醒"}]
    run_batch(actor=world.officer, kind=BatchJob.Kind.REMIND, filters=selectors.Filters())
    reminders = Message.objects.filter(event="hukou.choice_reminder", channel="inbox")
    assert [m.recipient for m in reminders] == [world.applicant]


def test_batch_approve_decides_the_selected_move_ins(world, household, apply, run_batch):
    case = apply(household.move_in, name="李同学", **CERTIFICATE)
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    other = HouseholdRecord.objects.get(person=world.person(name="旁人"))  # awaiting: not a move-in
    job = run_batch(actor=world.officer, kind=BatchJob.Kind.APPROVE, filters=selectors.Filters(),
                            selected=[rec.pk, other.pk])
    job.refresh_from_db()
    assert job.succeeded == 1 and job.total == 1
    rec.refresh_from_db()
    assert rec.status == Status.IN_SCHOOL and rec.last_case_id == case.pk


def test_batch_approve_by_a_college_admin_finds_no_work_of_theirs(world, household, apply, run_batch):
    apply(household.move_in, name="李同学", **CERTIFICATE)
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    job = run_batch(actor=world.college_admin, kind=BatchJob.Kind.APPROVE, filters=selectors.Filters(),
                            selected=[rec.pk])
    job.refresh_from_db()
    assert job.succeeded == 0 and job.problems[0]["error"] == "没有您可办理的迁入审核待办"
    rec.refresh_from_db()
    assert rec.status == Status.SUBMITTED


def test_export_is_scoped_masked_and_audited(world, household, run_batch):
    world.person(name="法学院学生", unit=world.law)
    job = run_batch(actor=world.college_admin, kind=BatchJob.Kind.EXPORT, filters=selectors.Filters())
    job.refresh_from_db()
    sheet = load_workbook(io.BytesIO(job.result.open("rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("学院/单位", "姓名")
    assert [r[1] for r in rows[1:]] == ["李同学"]  # the college admin's own college only
    assert "*" in rows[1][3]
    from tongban.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="hukou.export", actor_id=world.college_admin.pk).exists()


def test_an_export_the_trail_could_not_record_leaves_no_file_to_download(world, household, monkeypatch, settings,
                                                                         tmp_path):
    """The list of ID numbers is named by the job only together with its audit entry."""
    settings.MEDIA_ROOT = tmp_path

    def trail_down(**kwargs):
        raise RuntimeError("the trail is down")

    monkeypatch.setattr(batch, "record", trail_down)
    job = BatchJob.objects.create(kind=BatchJob.Kind.EXPORT, created_by=world.college_admin,
                                  filters=selectors.Filters().as_params())
    with pytest.raises(RuntimeError):
        batch.run_batch_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == BatchJob.State.FAILED and not job.result
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_overview_counts_per_college_and_status(world, household, apply, approve):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    world.person(name="法学院学生", unit=world.law)
    world.person(name="经院学生", unit=world.econ)
    rows, total = selectors.overview(user=world.officer)
    by_unit = {r.unit.name: r.counts for r in rows}
    assert by_unit["经济学院"][Status.IN_SCHOOL] == 1 and by_unit["经济学院"][Status.AWAITING] == 1
    assert by_unit["法学院"][Status.AWAITING] == 1
    assert total.total == 3
    college_rows, _ = selectors.overview(user=world.college_admin)
    assert [r.unit.name for r in college_rows] == ["经济学院"]
