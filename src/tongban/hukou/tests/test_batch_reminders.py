"""The office's batch reminder reaches the freshmen who have not chosen yet: through their
account when they have bound one, else by a text to the phone the freshman list gave
(unless staff recorded an opt-out), written with the reminder and delivered by the
relay; the job's result says how many were reached by inbox, by text and not at all,
naming those it could not reach and why."""

import pytest

from tongban.hukou import batch, selectors
from tongban.hukou.models import BatchJob
from tongban.notify import relay
from tongban.notify.models import Message
from tongban.notify.services import record_opt_out

PHONE = "13912345678"


@pytest.fixture
def recorded(settings):
    from tongban.notify.tests import recording

    settings.NOTIFY_TRANSPORTS = {c: "tongban.notify.tests.recording.Recording" for c in ("email", "sms", "wechat")}
    recording.reset()
    yield recording.sent
    recording.reset()


@pytest.fixture
def run_batch(django_capture_on_commit_callbacks):
    def _run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = batch.start_batch(**kwargs)
        job.refresh_from_db()
        return job

    return _run


def _remind(world, run_batch):
    return run_batch(actor=world.officer, kind=BatchJob.Kind.REMIND, filters=selectors.Filters())


def test_a_freshman_with_no_account_is_reminded_by_text_at_the_imported_phone(world, household, run_batch,
                                                                               recorded):
    freshman = world.person(name="新生甲", phone=PHONE)
    job = _remind(world, run_batch)
    assert (job.state, job.succeeded, job.problems) == (BatchJob.State.DONE, 2, [])
    assert job.reached == {"inbox": 1, "sms": 1, "none": 0}
    text = Message.objects.get(person=freshman)
    assert (text.recipient, text.channel, text.event, text.params) == (None, "sms", "hukou.choice_reminder",
                                                                       {"name": "新生甲"})
    relay.relay()
    assert [o.address for o in recorded if o.address == PHONE] == [PHONE]


def test_a_second_run_the_same_day_texts_no_one_twice(world, household, run_batch):
    freshman = world.person(name="新生甲", phone=PHONE)
    _remind(world, run_batch)
    again = _remind(world, run_batch)
    assert again.reached == {"inbox": 1, "sms": 1, "none": 0}  # offered again, kept once
    assert Message.objects.filter(person=freshman).count() == 1


def test_those_who_cannot_be_reached_are_counted_and_named_with_why(world, household, run_batch):
    world.person(name="无手机")
    opted = world.person(name="已退订", phone=PHONE)
    record_opt_out(actor=world.officer, person=opted, reason="本人来电要求不再接收短信")
    job = _remind(world, run_batch)
    assert job.reached == {"inbox": 1, "sms": 0, "none": 2}
    assert sorted(job.problems, key=lambda p: p["name"]) == [
        {"name": "已退订", "error": "尚未绑定账号，手机号已退订短信，无法提醒"},
        {"name": "无手机", "error": "尚未绑定账号，也没有登记手机号，无法提醒"}]
    assert not Message.objects.filter(person=opted).exists()


def test_a_phone_opted_out_as_a_number_is_not_texted_whoever_it_is_imported_for(world, household, run_batch):
    record_opt_out(actor=world.sysadmin, phone=PHONE, reason="回复退订")
    world.person(name="新生乙", phone=PHONE)
    assert _remind(world, run_batch).reached == {"inbox": 1, "sms": 0, "none": 1}


def test_a_bound_freshman_gets_the_reminder_by_their_accounts_choices_not_the_imported_phone(world, household,
                                                                                           run_batch):
    from tongban.notify.services import set_preference

    set_preference(actor=world.applicant, kind="case", channels=["inbox"])
    job = _remind(world, run_batch)
    assert job.reached == {"inbox": 1, "sms": 0, "none": 0}
    assert list(Message.objects.values_list("recipient", "channel")) == [(world.applicant.pk, "inbox")]


def test_the_jobs_page_shows_how_each_was_reached(world, household, login, django_capture_on_commit_callbacks):
    world.person(name="新生甲", phone=PHONE)
    world.person(name="无手机")
    client = login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/workbench/hukou/batch/", {"kind": "remind"})
    page = client.get(response["Location"]).content.decode()
    assert "站内消息 <strong>1</strong> 人，短信 <strong>1</strong> 人，无法联系 <strong>1</strong> 人。" in page
    assert "无手机：尚未绑定账号，也没有登记手机号，无法提醒" in page


def test_someone_elses_job_is_refused_on_the_trail(world, household, run_batch, login):
    from tongban.audit.models import AuditEntry

    job = _remind(world, run_batch)
    assert login(world.college_admin).get(f"/workbench/hukou/jobs/{job.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="access.refused", object_type="hukou.batchjob",
                                     object_id=str(job.pk)).count() == 1
