"""One job-progress mechanism for every long job: a ProgressKeeper writes a job's counts on
its row at most once every so many items, and JobProgress is what a page shows of it,
through the one template people/_job_progress.html."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from tongban.people.jobs import JobProgress, ProgressKeeper, import_progress, start_import
from tongban.people.models import ImportJob


def test_a_keeper_writes_progress_once_every_so_many_items_and_always_the_last(world, django_assert_num_queries):
    job = ImportJob.objects.create(created_by=world.officer, original_name="a.csv", sha256="0" * 64)
    keep = ProgressKeeper(ImportJob, job.pk, done="processed_rows", total="total_rows", every=10)
    with django_assert_num_queries(1):
        keep.start(25)
    with django_assert_num_queries(2):  # at 10 and at 20, not for the 18 items between
        for done in range(1, 21):
            keep(done)
    job.refresh_from_db()
    assert (job.processed_rows, job.total_rows) == (20, 25)
    keep(25, final=True)
    job.refresh_from_db()
    assert job.processed_rows == 25


def test_progress_says_how_far_a_job_is_in_chinese():
    assert JobProgress("running", "处理中", 5, 20, "/x/").counts == "已处理 5 / 20（25%）"
    assert JobProgress("running", "导入中", 5, 20, "/x/", unit="行").counts == "已处理 5 / 20 行（25%）"
    assert JobProgress("running", "导入中", 7, 0, "/x/", unit="行").counts == "已处理 7 行（0%）"
    assert JobProgress("done", "已完成", 0, 0, "/x/").percent == 100


def test_a_running_job_polls_its_page_and_a_finished_one_stops(world):
    running = render_to_string("people/_job_progress.html",
                               {"progress": JobProgress("running", "处理中", 1, 4, "/jobs/7/")})
    assert 'hx-get="/jobs/7/" hx-trigger="every 1s"' in running
    assert "状态：<strong>处理中</strong>" in running and 'aria-valuenow="25"' in running
    done = render_to_string("people/_job_progress.html",
                            {"progress": JobProgress("done", "已完成", 4, 4, "/jobs/7/")})
    assert "hx-get" not in done and "已处理 4 / 4（100%）" in done


def test_an_import_keeps_its_progress_with_the_keeper_and_shows_it_the_same_way(
        world, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("people.csv", "姓名,身份证号,学号,学院,人员类别\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(actor=world.officer, upload=upload)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    page = render_to_string("people/_job_progress.html", {"progress": import_progress(job, "/poll/")})
    assert "状态：<strong>已完成</strong>" in page and "已处理 0 行（100%）" in page
