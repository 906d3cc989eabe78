"""A restriction bites in the service layer, says why and whom to ask, is created once
per source however often a sweep runs, and is lifted only by an admin, with a reason,
audited and messaged."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.notify.models import Message
from tongban.restrictions import services
from tongban.restrictions.models import Blocks, Kind, Restriction


def test_a_restriction_blocks_what_it_says_and_tells_the_person(world):
    person = world.applicant_person
    r = services.impose(actor=world.officer, person=person, kind=Kind.MANUAL, reason="户口卡逾期未还",
                        blocks=Blocks.BOOKING)
    with pytest.raises(services.Restricted) as refused:
        services.check(user=world.applicant, doing=Blocks.BOOKING)
    assert "户口卡逾期未还" in refused.value.message and "保卫处" in refused.value.message
    services.check(user=world.applicant, doing=Blocks.APPLYING)  # not blocked from applying
    assert Message.objects.filter(event="restriction.imposed", recipient=world.applicant, channel="inbox").exists()
    assert AuditEntry.objects.filter(action="restriction.impose", object_id=str(r.pk)).exists()


def test_one_restriction_per_source_however_often_imposed(world):
    person = world.applicant_person
    first = services.impose(actor=None, person=person, kind=Kind.OVERDUE_LOAN, reason="借用逾期", source="loan:1")
    assert first is not None
    assert services.impose(actor=None, person=person, kind=Kind.OVERDUE_LOAN, reason="借用逾期",
                           source="loan:1") is None
    services.lift(actor=world.officer, restriction=first, reason="已归还")
    # lifted by an admin: the same overdue loan does not restrict again
    assert services.impose(actor=None, person=person, kind=Kind.OVERDUE_LOAN, reason="借用逾期",
                           source="loan:1") is None
    assert Restriction.objects.count() == 1
    assert Message.objects.filter(event="restriction.imposed", channel="inbox").count() == 1


def test_lifting_needs_an_admin_and_a_reason(world):
    r = services.impose(actor=world.officer, person=world.applicant_person, kind=Kind.MANUAL, reason="测试")
    with pytest.raises(NotAllowed):
        services.lift(actor=world.college_admin, restriction=r, reason="x")
    with pytest.raises(NotAllowed):
        services.lift(actor=world.applicant, restriction=r, reason="x")
    with pytest.raises(ApplicationError) as no_reason:
        services.lift(actor=world.officer, restriction=r, reason="")
    assert no_reason.value.field == "reason"
    services.lift(actor=world.officer, restriction=r, reason="已核实")
    services.check(user=world.applicant, doing=Blocks.BOOKING)
    entry = AuditEntry.objects.get(action="restriction.lift")
    assert entry.details["reason"] == "已核实"
    assert Message.objects.filter(event="restriction.lifted", recipient=world.applicant).exists()


def test_a_restriction_with_an_end_date_ends_by_itself(world):
    services.impose(actor=None, person=world.applicant_person, kind=Kind.NO_SHOWS, reason="90 天内爽约 3 次",
                    blocks=Blocks.BOOKING, until=timezone.localdate() - dt.timedelta(days=1))
    services.check(user=world.applicant, doing=Blocks.BOOKING)


def test_an_auxiliary_cannot_restrict(world):
    with pytest.raises(NotAllowed):
        services.impose(actor=world.auxiliary, person=world.applicant_person, kind=Kind.MANUAL, reason="x")
    assert not Restriction.objects.exists()


def test_the_admin_page_lists_lifts_and_restricts_within_reach(world, login):
    world.person(name="法学院学生", unit=world.law, student_number="L001")
    client = login(world.officer)
    page = client.post("/workbench/restrictions/", {"student_number": "L001", "reason": "多次违规",
                                                    "blocks": Blocks.BOTH})
    assert page.status_code == 302
    r = Restriction.objects.get()
    assert "法学院学生" in client.get("/workbench/restrictions/").content.decode()
    assert "找不到" in client.post("/workbench/restrictions/", {"student_number": "nobody", "reason": "x",
                                                               "blocks": "both"}).content.decode()
    assert login(world.college_admin).get("/workbench/restrictions/").status_code == 403
    client = login(world.officer)
    client.post(f"/workbench/restrictions/{r.pk}/lift/", {"reason": "已整改"})
    r.refresh_from_db()
    assert r.lifted_by == world.officer and r.lift_reason == "已整改"


def test_check_and_the_lists_agree_on_what_is_current_and_what_it_blocks(world):
    """`check` is written out for speed; the lists use RestrictionQuerySet.current() and
    .blocking(). Over every shape of restriction they must say the same."""
    today = timezone.localdate()
    shapes = [  # (blocks, until, lifted)
        (Blocks.BOOKING, None, False), (Blocks.APPLYING, None, False), (Blocks.BOTH, None, False),
        (Blocks.BOTH, today, False), (Blocks.BOTH, today - dt.timedelta(days=1), False),
        (Blocks.BOTH, today + dt.timedelta(days=3), False), (Blocks.BOTH, None, True),
    ]
    for n, (blocks, until, lifted) in enumerate(shapes):
        person = world.person(name=f"受限{n}")
        Restriction.objects.create(person=person, kind=Kind.MANUAL, reason=f"原因{n}", blocks=blocks, until=until,
                                   lifted_at=timezone.now() if lifted else None)
        for doing in (Blocks.BOOKING, Blocks.APPLYING):
            listed = Restriction.objects.filter(person=person).current().blocking(doing).exists()
            try:
                services.check(person=person, doing=doing)
                refused = False
            except services.Restricted as exc:
                refused = True
                assert f"原因{n}" in exc.message
            assert refused == listed, (blocks, until, lifted, doing)
