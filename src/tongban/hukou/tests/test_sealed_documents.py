"""The waiver and the move-out notice say they are the platform's: each is sealed by
the act that completes its case (the approving officer, or the system for the office
when the applicant's own confirmation completes it), stored, and served as stored."""

import pytest

from tongban.archive.models import SealedDocument
from tongban.archive.selectors import verify_upload
from tongban.audit.models import AuditEntry
from tongban.hukou.models import HouseholdRecord, Waiver
from tongban.hukou.tests.conftest import CERTIFICATE

pytestmark = pytest.mark.django_db


def test_a_confirmed_waiver_is_sealed_once_for_the_office_and_served_as_stored(world, household, login):
    client = login(world.applicant)
    assert client.post("/hukou/waiver/", {"version": "1", "agree": "yes"}).status_code == 302
    waiver = Waiver.objects.get()
    sealed = AuditEntry.objects.filter(action="archive.sealed").count()

    first = client.get(f"/hukou/waiver/{waiver.pk}.pdf")
    second = login(world.officer).get(f"/workbench/hukou/waivers/{waiver.pk}.pdf")

    assert first.content == second.content
    result = verify_upload(first.content)
    assert result.verdict == "有效"
    assert [(s.check.unit_name, s.check.signer_name) for s in result.seals] == [("保卫处", "保卫处（系统签章）")]
    assert result.document.kind == SealedDocument.Kind.WAIVER and result.document.number.endswith("-CN")
    assert AuditEntry.objects.filter(action="archive.sealed").count() == sealed == 2  # the waiver, the result


def test_the_move_out_notice_is_sealed_by_the_officer_who_approved_it(world, household, apply, approve, login):
    approve(apply(household.move_in, name="李同学", **CERTIFICATE))
    approve(apply(household.move_out, destination="河北省保定市", authority="莲池派出所"))
    rec = HouseholdRecord.objects.get(person=world.applicant_person)

    own = login(world.applicant).get("/hukou/move-out-notice.pdf")
    staff = login(world.officer).get(f"/workbench/hukou/{rec.pk}/move-out-notice.pdf")

    assert own.content == staff.content
    result = verify_upload(own.content)
    assert result.verdict == "有效"
    assert [(s.check.unit_name, s.check.signer_name, s.level) for s in result.seals] == [
        ("保卫处", "officer", "保卫处审核")]
    assert result.document.kind == SealedDocument.Kind.MOVE_OUT
