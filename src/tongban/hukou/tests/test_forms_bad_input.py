"""The waiver and correction posts go through forms: bad input is answered with every
error at once, each next to its field, the input kept, and nothing written."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.hukou.models import HouseholdRecord, Status, Waiver

pytestmark = pytest.mark.django_db


def test_a_waiver_without_the_tick_names_the_box_and_signs_nothing(world, household, login):
    answer = login(world.applicant).post("/hukou/waiver/", {"version": "1"})
    assert answer.status_code == 422
    form = answer.context["form"]
    assert form.errors == {"agree": ["请阅读并勾选同意承诺书"]}
    page = answer.content.decode()
    # the error follows the box it is about, and the version read is posted again
    assert page.index('id="agree"') < page.index("请阅读并勾选同意承诺书")
    assert '<input type="hidden" name="version" value="1"' in page
    assert not Waiver.objects.exists()
    assert HouseholdRecord.objects.get(person=world.applicant_person).status == Status.AWAITING


def test_a_correction_with_two_mistakes_shows_both_and_keeps_what_was_typed(world, household, login):
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    before = AuditEntry.objects.count()
    answer = login(world.officer).post(f"/workbench/hukou/{rec.pk}/", {
        "status": "nonsense", "reason": "x" * 300, "certificate_number": "QY-typed"})
    assert answer.status_code == 422
    form = answer.context["form"]
    assert form.errors["status"] == ["请选择户口状态"] and form.errors["reason"] == ["更正原因最多 200 个字"]
    page = answer.content.decode()
    assert 'value="QY-typed"' in page and "x" * 300 in page
    rec.refresh_from_db()
    assert rec.status == Status.AWAITING and rec.certificate_number == ""
    assert AuditEntry.objects.count() == before


def test_a_date_the_service_refuses_is_shown_next_to_its_field(world, household, login):
    rec = HouseholdRecord.objects.get(person=world.applicant_person)
    answer = login(world.officer).post(f"/workbench/hukou/{rec.pk}/", {
        "status": Status.IN_SCHOOL, "reason": "补录", "storage_expiry": "2026-13-01"})
    assert answer.status_code == 422
    assert answer.context["form"].errors == {"storage_expiry": ["暂存到期不是有效日期（例：2026-09-01）"]}
    page = answer.content.decode()
    assert page.index('id="id_storage_expiry"') < page.index("暂存到期不是有效日期") and 'value="2026-13-01"' in page
    rec.refresh_from_db()
    assert rec.status == Status.AWAITING


def test_an_unknown_batch_action_or_a_forged_selection_starts_nothing(world, login):
    from tongban.hukou.models import BatchJob

    client = login(world.officer)
    for posted in ({"kind": "nuke"}, {"kind": "approve", "selected": ["1; drop"]}, {}):
        answer = client.post("/workbench/hukou/batch/", posted, follow=True)
        assert answer.status_code == 200 and answer.redirect_chain[0][0].startswith("/workbench/hukou/")
        assert [str(m) for m in answer.context["messages"]]  # said why
    assert not BatchJob.objects.exists()
