"""When a workbench import finishes, its importer gets a message in their inbox with
the counts and a link to the job (they may have left the page); a re-run of the same
job tells them nothing twice (the message's key is the job)."""

import pytest

from tongban.notify.models import Message
from tongban.people.jobs import run_import_job
from tongban.people.models import ImportJob
from tongban.people.tests.test_import_page import BAD, GOOD, _uploads_in_tmp, upload, xlsx_upload  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_importer_is_told_when_the_import_is_done(world, login, upload):  # noqa: F811
    upload(login(world.officer), xlsx_upload([*GOOD, BAD]))
    job = ImportJob.objects.get()
    message = Message.objects.get(recipient=world.officer, channel="inbox", event="people.import_finished")
    assert message.body == "文件《people.xlsx》已导入：新增 2 人，更新 0 人，未导入 1 行。"
    assert message.link == f"/workbench/people/import/{job.pk}/"
    run_import_job(job_id=job.pk)  # the task delivered twice by the queue: nothing more is said
    assert Message.objects.filter(event="people.import_finished").count() == 1
