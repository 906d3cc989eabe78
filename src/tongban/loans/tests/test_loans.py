"""Lending the household card for 8 days: reminded the day before, restricted from the
first overdue day (once, however often the sweep runs), reminded while overdue, and
the restriction lifted only by an admin unless the policy says otherwise."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tongban.audit.models import AuditEntry
from tongban.conftest import at_once, failures
from tongban.lib.errors import ApplicationError, PermissionDenied, StateConflict
from tongban.loans import services
from tongban.loans.models import Loan, Policy
from tongban.notify.models import Message
from tongban.restrictions import services as restrictions
from tongban.restrictions.models import Blocks, Restriction


@pytest.fixture
def policy(world):
    return Policy.objects.create(org_unit=world.security)


def lend(world, policy, person=None, **kwargs):
    return services.lend(actor=world.officer, person=person or world.applicant_person, policy=policy,
                         purpose="办理护照", **kwargs)


def inbox(event):
    return Message.objects.filter(event=event, channel="inbox")


def test_lending_sets_the_due_date_and_tells_the_borrower(world, policy):
    loan = lend(world, policy)
    assert loan.due_date == timezone.localdate() + dt.timedelta(days=8)
    assert inbox("loan.lent").get().recipient == world.applicant
    assert AuditEntry.objects.filter(action="loan.lend", object_id=str(loan.pk)).exists()


def test_working_day_policy_counts_working_days(world, policy):
    policy.working_days = True
    policy.save()
    loan = lend(world, policy)
    from tongban.catalog.workdays import add_working_days

    assert loan.due_date == add_working_days(timezone.localdate(), 8, unit=world.security)


def test_one_card_at_a_time(world, policy):
    lend(world, policy)
    with pytest.raises(StateConflict):
        lend(world, policy)
    assert Loan.objects.count() == 1


def test_only_window_staff_lend(world, policy):
    for who in (world.applicant, world.college_admin, world.auxiliary):
        with pytest.raises(PermissionDenied):
            services.lend(actor=who, person=world.applicant_person, policy=policy, purpose="x")
    with pytest.raises(ApplicationError) as no_purpose:
        services.lend(actor=world.officer, person=world.applicant_person, policy=policy, purpose=" ")
    assert no_purpose.value.field == "purpose"


def test_the_sweep_reminds_restricts_once_and_reminds_while_overdue(world, policy):
    loan = lend(world, policy)
    due = loan.due_date
    services.sweep(today=due - dt.timedelta(days=2))
    assert not inbox("loan.due_soon").exists()
    for _ in range(2):
        services.sweep(today=due - dt.timedelta(days=1))
    assert inbox("loan.due_soon").count() == 1
    services.sweep(today=due)  # the due day itself: nothing more
    for _ in range(2):
        services.sweep(today=due + dt.timedelta(days=1))
    assert Restriction.objects.filter(source=f"loan:{loan.pk}").count() == 1
    assert inbox("restriction.imposed").count() == 1 and inbox("loan.overdue").count() == 1
    with pytest.raises(restrictions.Restricted):
        restrictions.check(user=world.applicant, doing=Blocks.BOOKING)
    with pytest.raises(restrictions.Restricted):
        restrictions.check(user=world.applicant, doing=Blocks.APPLYING)
    services.sweep(today=due + dt.timedelta(days=2))
    services.sweep(today=due + dt.timedelta(days=3))
    services.sweep(today=due + dt.timedelta(days=3))
    assert inbox("loan.overdue").count() == 2  # day 1 and day 3
    # returning does not lift it (the default policy); an admin does
    services.take_back(actor=world.officer, loan=loan)
    with pytest.raises(restrictions.Restricted):
        restrictions.check(user=world.applicant, doing=Blocks.BOOKING)
    services.sweep(today=due + dt.timedelta(days=6))
    assert inbox("loan.overdue").count() == 2
    restrictions.lift(actor=world.officer, restriction=Restriction.objects.get(), reason="已归还，批评教育")
    restrictions.check(user=world.applicant, doing=Blocks.BOOKING)


def test_a_policy_may_lift_on_return(world, policy):
    policy.lift_on_return = True
    policy.save()
    loan = lend(world, policy)
    services.sweep(today=loan.due_date + dt.timedelta(days=1))
    services.take_back(actor=world.officer, loan=loan)
    restrictions.check(user=world.applicant, doing=Blocks.BOOKING)
    assert Restriction.objects.get().lift_reason.startswith("已归还")


def test_a_restricted_person_cannot_borrow(world, policy):
    restrictions.impose(actor=world.officer, person=world.applicant_person, kind="manual", reason="违规")
    with pytest.raises(restrictions.Restricted):
        lend(world, policy)


def test_return_is_recorded_once(world, policy):
    loan = lend(world, policy)
    services.take_back(actor=world.officer, loan=loan)
    with pytest.raises(StateConflict):
        services.take_back(actor=world.officer, loan=loan)
    loan.refresh_from_db()
    assert loan.received_by == world.officer and loan.returned_at


def test_the_window_pages_lend_list_return_and_export(world, policy, login):
    client = login(world.officer)
    bad = client.post("/workbench/loans/", {"student_number": "nobody", "policy": policy.pk, "purpose": "x"})
    assert bad.status_code == 422 and "找不到" in bad.content.decode()
    number = world.applicant_person.student_number
    assert client.post("/workbench/loans/", {"student_number": number, "policy": policy.pk,
                                             "purpose": "婚姻登记"}).status_code == 302
    loan = Loan.objects.get()
    assert "李同学" in client.get("/workbench/loans/").content.decode()
    Loan.objects.filter(pk=loan.pk).update(due_date=timezone.localdate() - dt.timedelta(days=4))
    assert "逾期 4 天" in client.get("/workbench/loans/?tab=overdue").content.decode()
    sheet = load_workbook(io.BytesIO(client.get("/workbench/loans/?tab=overdue&format=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "李同学" and rows[1][8] == 4
    client.post(f"/workbench/loans/{loan.pk}/return/")
    loan.refresh_from_db()
    assert loan.returned_at is not None
    assert "婚姻登记" in login(world.applicant).get("/loans/mine/").content.decode()
    assert login(world.college_admin).get("/workbench/loans/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_windows_lending_at_once_lend_one_card(world, policy):
    outcomes = at_once(2, lambda n: lend(world, policy))
    assert sorted("refused" if isinstance(o, StateConflict) else type(o).__name__ for o in outcomes) == [
        "Loan", "refused"]
    assert Loan.objects.count() == 1


def test_lending_from_a_booking_keeps_the_reference(world, policy, login):
    client = login(world.officer)
    number = world.applicant_person.student_number
    page = client.get("/workbench/loans/", {"booking": "17", "student_number": number}).content.decode()
    assert 'name="booking" value="17"' in page and f'value="{number}"' in page
    client.post("/workbench/loans/", {"booking": "17", "student_number": number, "policy": policy.pk,
                                      "purpose": "办理护照"})
    assert Loan.objects.get().booking_ref == "booking:17"


def test_a_policy_changed_in_the_back_office_is_on_the_trail(world, client):
    from tongban.accounts.models import User

    admin_user = User.objects.create_superuser(username="root", password="x-long-password-1")
    client.force_login(admin_user)
    answer = client.post("/admin/loans/policy/add/", {
        "name": "常住人口登记卡", "org_unit": world.security.pk, "days": "10", "remind_days_before": "1",
        "restrict_when_overdue": "on", "overdue_reminder_every": "3", "max_open": "1", "active": "on"})
    assert answer.status_code == 302
    entry = AuditEntry.objects.get(action="loans.policy_add")
    assert entry.actor_id == admin_user.pk and entry.details["days"] == "10"


def _many_overdue(world, policy, n: int) -> list[Loan]:
    """`n` borrowers, each with a loan lent nine days ago (one day overdue today)."""
    from tongban.accounts.services import create_user
    from tongban.people.services import link_account

    loans = []
    for i in range(n):
        person = world.person(name=f"借用人{i}")
        if i % 2 == 0:  # half have an account to be told, half do not
            link_account(actor=None, person=person,
                         user=create_user(actor=None, username=f"borrower{i}", password="x-long-password-1"))
        loans.append(lend(world, policy, person=person))
    Loan.objects.update(due_date=timezone.localdate() - dt.timedelta(days=1))
    return loans


def test_the_sweep_restricts_a_chunk_at_a_time_with_an_entry_and_a_message_each(world, policy, monkeypatch):
    monkeypatch.setattr(services, "SWEEP_CHUNK", 4)  # three chunks
    loans = _many_overdue(world, policy, 10)
    seen = []
    counts = services.sweep(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(4, 10), (8, 10), (10, 10)]
    assert counts == {"reminded": 0, "restricted": 10, "overdue_reminded": 5}
    assert set(Restriction.objects.values_list("source", flat=True)) == {f"loan:{loan.pk}" for loan in loans}
    entries = AuditEntry.objects.filter(action="restriction.impose")
    assert entries.count() == 10 and all(e.actor_name == "系统" for e in entries)
    assert inbox("restriction.imposed").count() == 5 and inbox("loan.overdue").count() == 5
    assert "逾期未还" in inbox("restriction.imposed").first().body

    again = services.sweep()
    assert again["restricted"] == 0
    assert Restriction.objects.count() == 10 and entries.count() == 10
    assert inbox("restriction.imposed").count() == 5 and inbox("loan.overdue").count() == 5


def test_a_sweep_skips_loans_neither_due_soon_nor_overdue(world, policy, django_assert_max_num_queries):
    for i in range(30):
        lend(world, policy, person=world.person(name=f"按时{i}"))
    with django_assert_max_num_queries(3):  # the policies, the count, one empty chunk
        assert services.sweep() == {"reminded": 0, "restricted": 0, "overdue_reminded": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_restrict_and_tell_each_borrower_once(world, policy, monkeypatch):
    from tongban.notify import services as notify_services

    monkeypatch.setattr(services, "SWEEP_CHUNK", 3)
    # every batch by COPY (lib/bulk.py), as a real sweep's thousands go
    monkeypatch.setattr(restrictions, "COPY_FROM", 0)
    monkeypatch.setattr(notify_services, "COPY_FROM", 0)
    loans = _many_overdue(world, policy, 12)
    assert failures(at_once(2, lambda n: services.sweep())) == []
    assert Restriction.objects.count() == len(loans)
    assert AuditEntry.objects.filter(action="restriction.impose").count() == len(loans)
    assert inbox("restriction.imposed").count() == 6 and inbox("loan.overdue").count() == 6


def test_the_sweep_command_reports_what_it_did_and_refuses_a_bad_date(world, policy):
    from django.core.management import CommandError, call_command

    loan = lend(world, policy)
    out = io.StringIO()
    call_command("loans-sweep", "--date", str(loan.due_date + dt.timedelta(days=1)), stdout=out)
    assert out.getvalue().strip() == "到期提醒 0 条，逾期限制 1 人，逾期提醒 1 条。"
    call_command("loans-sweep", "--date", str(loan.due_date + dt.timedelta(days=1)), stdout=out)
    assert Restriction.objects.count() == 1
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("loans-sweep", "--date", "明天")
