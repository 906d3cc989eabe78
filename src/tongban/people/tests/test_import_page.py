"""The workbench's import page: upload a file, watch the job, download its report. Only
someone who may import gets the page, and each sees only their own jobs."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tongban.audit.models import AuditEntry
from tongban.lib.masking import mask_id_number
from tongban.people import idnumber
from tongban.people.models import ImportJob, Person
from tongban.people.reading import TEMPLATE_HEADERS

IMPORT_URL = "/workbench/people/import/"
HEADER = ["姓名", "身份证号", "学号", "学院", "人员类别"]


def id_number(sequence: int) -> str:
    # Not conftest.make_id's birth date, whose session-wide counter could reach these sequences.
    return idnumber.make("110105", dt.date(2005, 9, 1), sequence)


def xlsx_upload(rows, name="people.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(HEADER)
    for r in rows:
        workbook.active.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


GOOD = [
    ["赵一", id_number(101), "2024001", "经济学院", "本科生"],
    ["钱二", id_number(102), "2024002", "法学院", "研究生"],
]
BAD = ["孙三", id_number(103), "2024003", "火星学院", "本科生"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file to the import page as `client`'s user; the job runs when the
    request's transaction commits, as it does in production (Huey is immediate here)."""

    def _upload(client, file, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(IMPORT_URL, {"file": file, **data})

    return _upload


def test_an_officer_uploads_a_file_and_is_sent_to_its_finished_job(world, login, upload):
    client = login(world.officer)
    response = upload(client, xlsx_upload([*GOOD, BAD]))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == f"/workbench/people/import/{job.pk}/"
    assert (job.status, job.created_by, job.original_name, job.dry_run) == (
        ImportJob.Status.DONE, world.officer, "people.xlsx", False)
    assert (job.total_rows, job.processed_rows, job.created_count, job.updated_count, job.error_count) == (
        3, 3, 2, 0, 1)
    assert sorted(Person.objects.filter(name__in=["赵一", "钱二", "孙三"]).values_list("name", flat=True)) == [
        "赵一", "钱二"]
    assert AuditEntry.objects.filter(action="people.import_start", object_id=str(job.pk)).count() == 1


def test_the_status_page_shows_the_outcome(world, login, upload):
    client = login(world.officer)
    upload(client, xlsx_upload([*GOOD, BAD]))
    job = ImportJob.objects.get()
    page = client.get(f"/workbench/people/import/{job.pk}/").content.decode()
    assert "<h1>导入：people.xlsx</h1>" in page
    assert "状态：<strong>已完成</strong>" in page
    assert "新增 <strong>2</strong> 人，更新 <strong>0</strong> 人，错误 <strong>1</strong> 行。" in page
    assert f'href="/workbench/people/import/{job.pk}/report.csv"' in page


def test_an_htmx_poll_gets_only_the_progress_fragment(world, login, upload):
    client = login(world.officer)
    upload(client, xlsx_upload(GOOD))
    job = ImportJob.objects.get()
    fragment = client.get(f"/workbench/people/import/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="progress"')
    assert "<html" not in fragment
    assert "hx-get" not in fragment  # a finished job stops the polling
    assert "已处理 2 / 2 行（100%）" in fragment


def test_a_job_still_waiting_keeps_polling(world, login):
    client = login(world.officer)
    client.post(IMPORT_URL, {"file": xlsx_upload(GOOD)})  # not committed: the job never ran
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING
    fragment = client.get(f"/workbench/people/import/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="/workbench/people/import/{job.pk}/" hx-trigger="every 1s"' in fragment
    assert "状态：<strong>排队中</strong>" in fragment


def test_the_report_downloads_as_a_csv_excel_can_open(world, login, upload):
    client = login(world.officer)
    upload(client, xlsx_upload([*GOOD, BAD, ["周四", id_number(101), "2024004", "经济学院", "本科生"]]))
    job = ImportJob.objects.get()
    response = client.get(f"/workbench/people/import/{job.pk}/report.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f"attachment; filename=import-{job.pk}-report.csv"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffrow,field,value,error\n")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))[1:] == [
        ["4", "学院", "火星学院", "找不到单位「火星学院」，或您无权导入该单位的人员"],
        ["5", "身份证号", mask_id_number(id_number(101)), "与第 2 行的身份证号重复"],
    ]
    assert id_number(101) not in text


def test_a_dry_run_from_the_page_writes_no_one(world, login, upload):
    client = login(world.officer)
    people = Person.objects.count()
    upload(client, xlsx_upload(GOOD), dry_run="1")
    job = ImportJob.objects.get()
    assert (job.dry_run, job.status, job.created_count) == (True, ImportJob.Status.DONE, 2)
    assert Person.objects.count() == people
    assert "仅检查，不写入" in client.get(f"/workbench/people/import/{job.pk}/").content.decode()


def test_an_unreadable_file_fails_its_job_with_the_reason(world, login, upload):
    client = login(world.officer)
    upload(client, SimpleUploadedFile("people.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)))
    job = ImportJob.objects.get()
    assert (job.status, job.message) == (
        ImportJob.Status.FAILED, "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。")
    assert job.finished_at is not None
    page = client.get(f"/workbench/people/import/{job.pk}/").content.decode()
    assert '<p class="error">不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。</p>' in page


def test_a_job_whose_uploader_lost_the_right_to_import_fails_instead_of_hanging(world, login):
    from tongban.accounts.models import Membership
    from tongban.people.jobs import run_import_job

    client = login(world.officer)
    client.post(IMPORT_URL, {"file": xlsx_upload(GOOD)})  # queued, not yet run
    Membership.objects.filter(user=world.officer).delete()
    job = run_import_job(job_id=ImportJob.objects.get().pk)
    assert (job.status, job.message) == (ImportJob.Status.FAILED, "您没有权限执行此操作。")


def test_a_file_of_the_wrong_type_is_refused_before_any_job_is_made(world, login, upload):
    client = login(world.officer)
    response = upload(client, SimpleUploadedFile("people.txt", "姓名,身份证号\n".encode()))
    assert response.status_code == 422
    assert '<p class="error" role="alert">请上传 .xlsx 或 .csv 文件。</p>' in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert not AuditEntry.objects.filter(action="people.import_start").exists()


def test_posting_without_a_file_asks_for_one(world, login):
    response = login(world.officer).post(IMPORT_URL, {})
    assert response.status_code == 422
    assert "请选择要导入的文件。" in response.content.decode()


def test_the_page_lists_only_ones_own_recent_imports(world, login, upload):
    upload(login(world.clerk), xlsx_upload(GOOD, name="clerk-file.xlsx"))
    page = login(world.officer).get(IMPORT_URL)
    assert page.status_code == 200
    assert "clerk-file.xlsx" not in page.content.decode()
    assert "暂无" in page.content.decode()


def test_someone_else_cannot_see_a_job_or_its_report(world, login, upload):
    upload(login(world.officer), xlsx_upload(GOOD))
    job = ImportJob.objects.get()
    clerk = login(world.clerk)  # may import too, but this job is not theirs
    assert clerk.get(f"/workbench/people/import/{job.pk}/").status_code == 404
    assert clerk.get(f"/workbench/people/import/{job.pk}/report.csv").status_code == 404


def test_the_template_is_an_xlsx_whose_first_row_is_the_headers(world, login):
    response = login(world.officer).get("/workbench/people/import/template.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADERS == [
        "姓名", "身份证号", "学号", "学院", "人员类别", "入学年份", "手机号"]


@pytest.mark.parametrize("persona", ["outsider", "college_admin", "auditor", "applicant"])
def test_someone_who_may_not_import_is_refused_the_page(world, login, persona):
    client = login(getattr(world, persona))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": xlsx_upload(GOOD)}).status_code == 403
    assert ImportJob.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in(world, client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={IMPORT_URL}"


def test_the_uploaded_file_is_deleted_once_its_job_is_done(world, login, upload, settings):
    upload(login(world.officer), xlsx_upload(GOOD))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert not job.file
    leftovers = [p for p in (settings.MEDIA_ROOT / "imports").rglob("*") if p.is_file()]
    assert leftovers == []
    assert len(job.sha256) == 64
