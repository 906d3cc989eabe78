"""A hukou batch keeps and shows its progress the way every long job does
(tongban.people.jobs): counts on its row while it runs, the shared progress section on its page."""

from tongban.hukou.models import BatchJob, Status


def test_a_batch_page_shows_progress_like_every_long_job_and_polls_while_it_runs(world, household, login):
    job = BatchJob.objects.create(kind=BatchJob.Kind.EXPORT, created_by=world.officer, state=BatchJob.State.RUNNING,
                                  total=200, done=50)
    client = login(world.officer)
    fragment = client.get(f"/workbench/hukou/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="/workbench/hukou/jobs/{job.pk}/" hx-trigger="every 1s"' in fragment
    assert "状态：<strong>处理中</strong>" in fragment
    assert "已处理 50 / 200（25%）" in fragment and 'aria-valuenow="25"' in fragment


def test_a_finished_batch_has_its_counts_on_the_row_and_stops_polling(world, household, login,
                                                                        django_capture_on_commit_callbacks):
    client = login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/workbench/hukou/batch/", {"kind": "export", "status": Status.AWAITING})
    job = BatchJob.objects.get()
    assert job.state == BatchJob.State.DONE and job.done == job.total
    page = client.get(f"/workbench/hukou/jobs/{job.pk}/").content.decode()
    assert "hx-get" not in page and f"已处理 {job.total} / {job.total}（100%）" in page
    job.result.delete(save=False)
