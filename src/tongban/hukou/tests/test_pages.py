"""The household pages, through HTTP: the applicant's own, and the offices' list,
overview, record, correction, batch and documents, each within the viewer's reach."""

import io

import pytest
from openpyxl import load_workbook

from tongban.hukou.models import BatchJob, HouseholdRecord, Status, Waiver
from tongban.hukou.tests.conftest import CERTIFICATE


def test_an_unbound_account_is_sent_to_bind_first(world, login):
    response = login(world.outsider).get("/hukou/")
    assert response.status_code == 302 and response["Location"].startswith("/bind/")


def test_an_awaiting_freshman_sees_both_choices(world, household, login):
    page = login(world.applicant).get("/hukou/").content.decode()
    assert "待选择" in page
    assert f"/services/{household.move_in.code}/" in page and "/hukou/waiver/" in page


def test_waiver_page_needs_the_tick_then_keeps_a_printable_record(world, household, login):
    client = login(world.applicant)
    page = client.get("/hukou/waiver/").content.decode()
    assert "集体户口不落户承诺书" in page and "第 1 版" in page
    refused = client.post("/hukou/waiver/", {"version": "1"})
    assert refused.status_code == 422 and "请阅读并勾选同意承诺书" in refused.content.decode()
    assert not Waiver.objects.exists()
    done = client.post("/hukou/waiver/", {"version": "1", "agree": "yes"})
    assert done.status_code == 302
    waiver = Waiver.objects.get()
    assert HouseholdRecord.objects.get(person=world.applicant_person).status == Status.WAIVED
    pdf = client.get(f"/hukou/waiver/{waiver.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # nobody else's, not even by guessing the number
    assert login(world.outsider).get(f"/hukou/waiver/{waiver.pk}.pdf").status_code == 404


def test_a_stale_agreement_version_is_refused_with_409(world, household, login):
    response = login(world.applicant).post("/hukou/waiver/", {"version": "7", "agree": "yes"})
    assert response.status_code == 409 and "承诺书已更新" in response.content.decode()


def test_the_office_list_is_scoped_to_the_viewer(world, household, login):
    world.person(name="法学院学生", unit=world.law)
    officer_page = login(world.officer).get("/workbench/hukou/").content.decode()
    assert "法学院学生" in officer_page and "李同学" in officer_page
    college_page = login(world.college_admin).get("/workbench/hukou/").content.decode()
    assert "李同学" in college_page and "法学院学生" not in college_page
    law = HouseholdRecord.objects.get(person__name="法学院学生")
    assert login(world.college_admin).get(f"/workbench/hukou/{law.pk}/").status_code == 404
    assert login(world.applicant).get("/workbench/hukou/").status_code == 403


def test_list_filters_by_status_and_query(world, household, login):
    world.person(name="王五")
    client = login(world.officer)
    page = client.get("/workbench/hukou/", {"q": "王五"}).content.decode()
    assert "王五" in page and "李同学" not in page
    assert "王五" not in client.get("/workbench/hukou/", {"status": Status.IN_SCHOOL}).content.decode()
    assert client.get("/workbench/hukou/", {"college": "x", "status": "nonsense"}).status_code == 200


def test_overview_numbers_link_to_the_list_and_export(world, household, login):
    client = login(world.officer)
    page = client.get("/workbench/hukou/overview/").content.decode()
    assert f"/workbench/hukou/?college={world.econ.pk}&status=awaiting" in page
    xlsx = client.get("/workbench/hukou/overview/", {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "学院/单位" and rows[-1][0] == "合计"
    assert login(world.approver).get("/workbench/hukou/overview/", {"format": "xlsx"}).status_code == 403


def test_correction_through_the_record_page(world, household, login):
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    client = login(world.officer)
    bad = client.post(f"/workbench/hukou/{rec.pk}/", {"status": Status.IN_SCHOOL, "reason": "补录",
                                                      "storage_expiry": "2026-13-01"})
    assert bad.status_code == 422 and "暂存到期不是有效日期" in bad.content.decode()
    ok = client.post(f"/workbench/hukou/{rec.pk}/", {"status": Status.IN_SCHOOL, "reason": "线下已迁入，补录",
                                                     "certificate_number": "QY9"})
    assert ok.status_code == 302
    rec.refresh_from_db()
    assert rec.status == Status.IN_SCHOOL and rec.certificate_number == "QY9"
    assert "线下已迁入，补录" in client.get(f"/workbench/hukou/{rec.pk}/").content.decode()
    refused = login(world.college_admin).post(f"/workbench/hukou/{rec.pk}/", {"status": Status.AWAITING,
                                                                              "reason": "x"})
    assert refused.status_code == 403
    rec.refresh_from_db()
    assert rec.status == Status.IN_SCHOOL


def test_batch_export_over_http_shows_progress_then_the_file(world, household, login,
                                                            django_capture_on_commit_callbacks):
    client = login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/workbench/hukou/batch/", {"kind": "export", "status": Status.AWAITING})
    job = BatchJob.objects.get()
    assert response["Location"] == f"/workbench/hukou/jobs/{job.pk}/"
    assert job.filters == {"status": "awaiting"}
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "下载 Excel" in page
    assert client.get(f"/workbench/hukou/jobs/{job.pk}/result.xlsx").status_code == 200
    job.refresh_from_db()
    job.result.delete(save=False)
    assert client.get(f"/workbench/hukou/jobs/{job.pk}/result.xlsx").status_code == 404
    # someone else's job is not theirs to see
    assert login(world.college_admin).get(f"/workbench/hukou/jobs/{job.pk}/").status_code == 404


@pytest.mark.parametrize("kind", ["approve", "nonsense"])
def test_a_batch_without_what_it_needs_says_so(world, household, login, kind):
    response = login(world.officer).post("/workbench/hukou/batch/", {"kind": kind}, follow=True)
    assert response.status_code == 200
    assert ("请先勾选" if kind == "approve" else "未知的批量操作") in response.content.decode()
    assert not BatchJob.objects.exists()


def test_move_out_notice_after_moving_out(world, household, apply, approve, login):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    client = login(world.applicant)
    assert client.get("/hukou/move-out-notice.pdf").status_code == 404
    approve(apply(household.move_out, destination="河北省保定市", authority="莲池派出所"))
    assert client.get("/hukou/move-out-notice.pdf").content.startswith(b"%PDF")
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    assert login(world.officer).get(f"/workbench/hukou/{rec.pk}/move-out-notice.pdf").status_code == 200


def test_the_office_records_a_graduation_date_and_storage_is_offered(world, household, login):
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    client = login(world.officer)
    client.post(f"/workbench/hukou/{rec.pk}/", {"status": Status.IN_SCHOOL, "reason": "线下已迁入"})
    applicant = login(world.applicant).get("/hukou/").content.decode()
    assert f"/services/{household.store.code}/" not in applicant and "尚未登记您的毕业日期" in applicant
    client = login(world.officer)
    bad = client.post(f"/workbench/hukou/{rec.pk}/", {"status": Status.IN_SCHOOL, "reason": "教务处毕业名单",
                                                      "graduation_date": "2027-02-30"})
    assert bad.status_code == 422 and "毕业日期不是有效日期" in bad.content.decode()
    too_long = client.post(f"/workbench/hukou/{rec.pk}/", {"status": Status.IN_SCHOOL, "reason": "x" * 300})
    assert too_long.status_code == 422 and "更正原因最多 200 个字" in too_long.content.decode()
    ok = client.post(f"/workbench/hukou/{rec.pk}/", {"status": Status.IN_SCHOOL, "reason": "教务处毕业名单",
                                                     "graduation_date": "2026-06-30"})
    assert ok.status_code == 302
    rec.refresh_from_db()
    assert str(rec.graduation_date) == "2026-06-30" and rec.certificate_number == ""  # not posted, kept
    assert f"/services/{household.store.code}/" in login(world.applicant).get("/hukou/").content.decode()
