"""Lending the household card for 8 days: reminded the day before, restricted from the
first overdue day (once, however often the sweep runs), reminded while overdue, and
the restriction lifted only by an admin unless the policy says otherwise. The card is
lent only against a checked-in booking of the card-loan service, to a person whose
collective household is in school and who holds no card already."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tongban.audit.models import AuditEntry
from tongban.booking import services as booking_services
from tongban.booking.models import Booking, Resource, State
from tongban.catalog.models import ServiceItem
from tongban.catalog.services import publish
from tongban.conftest import at_once, failures
from tongban.hukou import services as hukou
from tongban.hukou.models import HouseholdRecord, Status
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.loans import services
from tongban.loans.models import Loan, Policy
from tongban.notify.models import Message
from tongban.restrictions import services as restrictions
from tongban.restrictions.models import Blocks, Restriction


def card_service(world, code="card-borrow", name="借用集体户口卡") -> ServiceItem:
    item = ServiceItem.objects.create(code=code, name=name, category="集体户口", org_unit=world.security,
                                      serial_prefix="JK", audience=["student", "staff"], ways=["appointment"],
                                      needs_acceptance=False, effect="hukou.card_loan")
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def window(world):
    """The security office's household window, taking the card-loan service."""
    resource = Resource.objects.create(name="户籍窗口", org_unit=world.security, place="行政楼 101")
    resource.services.set([card_service(world)])
    return resource


@pytest.fixture
def policy(world, window):
    return Policy.objects.create(org_unit=world.security, service=window.services.get())


def in_school(world, person):
    hukou.correct(actor=world.officer, rec=HouseholdRecord.objects.get(person=person), status=Status.IN_SCHOOL,
                  reason="已线下迁入，补录")
    return person


def walk_in(world, window, person=None, service=None):
    """The person queued at the window for the card loan (checked in, today)."""
    return booking_services.walk_in(actor=world.officer, resource=window, person=person or world.applicant_person,
                                    service=service or window.services.get())


def lend(world, policy, person=None, booking=None, **kwargs):
    person = person or world.applicant_person
    if HouseholdRecord.objects.get(person=person).status == Status.AWAITING:
        in_school(world, person)
    if booking is None:
        booking = walk_in(world, Resource.objects.get(services=policy.service), person, policy.service)
    return services.lend(actor=world.officer, booking=booking, policy=policy, purpose="办理护照", **kwargs)


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


def test_one_card_at_a_time(world, policy, window):
    first = lend(world, policy)
    booking_services.mark_served(actor=world.officer, booking=first.booking)
    with pytest.raises(StateConflict) as refused:
        lend(world, policy)  # queued again the same day: a fresh booking, the card still out
    assert refused.value.code == "already_borrowed" and "尚有未归还" in refused.value.message
    assert Loan.objects.count() == 1


def test_only_window_staff_lend(world, policy, window):
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    for who in (world.applicant, world.college_admin, world.auxiliary):
        with pytest.raises(NotAllowed):
            services.lend(actor=who, booking=booking, policy=policy, purpose="x")
    with pytest.raises(ApplicationError) as no_purpose:
        services.lend(actor=world.officer, booking=booking, policy=policy, purpose=" ")
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


def test_the_window_pages_lend_list_return_and_export(world, policy, window, login):
    client = login(world.officer)
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    page = client.get("/workbench/loans/", {"booking": booking.pk}).content.decode()
    assert f'name="booking" value="{booking.pk}"' in page and "李同学" in page
    assert client.post("/workbench/loans/", {"booking": booking.pk, "policy": policy.pk,
                                             "purpose": "婚姻登记"}).status_code == 302
    loan = Loan.objects.get()
    assert loan.booking == booking
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
def test_two_windows_lending_on_one_booking_at_once_lend_one_card(world, policy, window):
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    outcomes = at_once(2, lambda n: services.lend(actor=world.officer, booking=booking, policy=policy,
                                                  purpose="办理护照"))
    assert sorted(o.code if isinstance(o, StateConflict) else type(o).__name__ for o in outcomes) == [
        "Loan", "booking_has_loan"]
    assert Loan.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_windows_lending_to_one_person_from_two_bookings_at_once_lend_one_card(world, policy, window):
    # a second item type, booked under its own service: one person, two checked-in bookings
    other = card_service(world, code="card-copy", name="借用户口卡复印件")
    window.services.add(other)
    copies = Policy.objects.create(org_unit=world.security, name="户口卡复印件", service=other)
    person = in_school(world, world.applicant_person)
    bookings = [walk_in(world, window, person, policy.service), walk_in(world, window, person, other)]
    pairs = [(bookings[0], policy), (bookings[1], copies)]
    outcomes = at_once(2, lambda n: services.lend(actor=world.officer, booking=pairs[n][0], policy=pairs[n][1],
                                                  purpose="办理护照"))
    assert sorted(o.code if isinstance(o, StateConflict) else type(o).__name__ for o in outcomes) == [
        "Loan", "already_borrowed"]
    assert Loan.objects.count() == 1


def test_the_desk_links_a_checked_in_booking_to_the_lending_form(world, policy, window, login):
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    desk = login(world.officer).get("/workbench/booking/", {"resource": window.pk}).content.decode()
    assert f"/workbench/loans/?booking={booking.pk}" in desk


def test_a_policy_changed_in_the_back_office_is_on_the_trail(world, client):
    admin_user = world.officer  # lends in the university: may set its policies (loan.manage)
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client.force_login(admin_user)
    answer = client.post("/admin/loans/policy/add/", {
        "name": "常住人口登记卡", "org_unit": world.security.pk, "days": "10", "remind_days_before": "1",
        "restrict_when_overdue": "on", "overdue_reminder_every": "3", "active": "on"})
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


# --- who may borrow: every refusal, through the service and through the page -----------------

def _status(status):
    def arrange(world, policy, window):
        rec = HouseholdRecord.objects.get(person=world.applicant_person)
        if rec.status != status:
            hukou.correct(actor=world.officer, rec=rec, status=status, reason="测试：户口状态")
        return walk_in(world, window)
    return arrange


def _already_lent(world, policy, window):
    loan = lend(world, policy)
    services.take_back(actor=world.officer, loan=loan)  # returned: the booking still had its loan
    return loan.booking


def _other_service(world, policy, window):
    other = card_service(world, code="id-proof", name="户籍证明开具")
    window.services.add(other)
    return walk_in(world, window, in_school(world, world.applicant_person), other)


def _booked_not_checked_in(world, policy, window):
    in_school(world, world.applicant_person)
    return Booking.objects.create(resource=window, date=timezone.localdate(), person=world.applicant_person,
                                  account=world.applicant, service=policy.service)


def _state(state, days=0):
    def arrange(world, policy, window):
        in_school(world, world.applicant_person)
        return Booking.objects.create(resource=window, date=timezone.localdate() + dt.timedelta(days=days),
                                      person=world.applicant_person, account=world.applicant,
                                      service=policy.service, state=state)
    return arrange


def _card_out(world, policy, window):
    other = card_service(world, code="card-copy", name="借用户口卡复印件")
    window.services.add(other)
    copies = Policy.objects.create(org_unit=world.security, name="户口卡复印件", service=other)
    lend(world, copies)
    return walk_in(world, window, service=policy.service)


def _restricted(world, policy, window):
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    restrictions.impose(actor=world.officer, person=world.applicant_person, kind="manual", reason="违规")
    return booking


def _policy_without_service(world, policy, window):
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    policy.service = None
    policy.save()
    return booking


REFUSALS = {
    "awaiting": (_status(Status.AWAITING), "household_not_in_school", "待选择"),
    "waived": (_status(Status.WAIVED), "household_not_in_school", "不落户"),
    "under review": (_status(Status.SUBMITTED), "household_not_in_school", "迁入审核中"),
    "stored": (_status(Status.STORED), "household_not_in_school", "毕业暂存"),
    "moved out": (_status(Status.MOVED_OUT), "household_not_in_school", "已迁出"),
    "booking already lent against": (_already_lent, "booking_has_loan", "同一预约不能再借"),
    "booking of another service": (_other_service, "booking_wrong_service", "户籍证明开具"),
    "booked, not checked in": (_booked_not_checked_in, "booking_not_checked_in", "请先签到"),
    "cancelled": (_state(State.CANCELLED), "booking_not_checked_in", "已取消"),
    "no-show": (_state(State.NO_SHOW), "booking_not_checked_in", "爽约"),
    "served": (_state(State.SERVED), "booking_not_checked_in", "已办理"),
    "checked in another day": (_state(State.CHECKED_IN, days=-1), "booking_not_today", "只能在预约当天"),
    "a card out": (_card_out, "already_borrowed", "尚有未归还"),
    "restricted": (_restricted, "restricted", "违规"),
    "policy naming no service": (_policy_without_service, "policy_without_service", "未设置借用预约事项"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_lending_is_refused_with_the_reason_by_the_service(world, policy, window, case):
    arrange, code, words = REFUSALS[case]
    booking = arrange(world, policy, window)
    before = Loan.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.lend(actor=world.officer, booking=booking, policy=policy, purpose="办理护照")
    assert refused.value.code == code and words in refused.value.message
    assert Loan.objects.count() == before


@pytest.mark.parametrize("case", REFUSALS)
def test_lending_is_refused_with_the_reason_on_the_page(world, policy, window, login, case):
    arrange, _code, words = REFUSALS[case]
    booking = arrange(world, policy, window)
    before = Loan.objects.count()
    answer = login(world.officer).post("/workbench/loans/", {"booking": booking.pk, "policy": policy.pk,
                                                             "purpose": "办理护照"})
    assert answer.status_code in (403, 409) and words in answer.content.decode()
    assert Loan.objects.count() == before


def test_a_forged_post_without_a_booking_or_with_another_units_booking_lends_nothing(world, policy, window, login):
    client = login(world.clerk)  # 东门派出所: loans and the window there, not the university's
    station_policy = Policy.objects.create(org_unit=world.east_1, service=policy.service)
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    none = client.post("/workbench/loans/", {"policy": station_policy.pk, "purpose": "办理护照"})
    assert none.status_code == 422 and "请从预约签到页面" in none.content.decode()
    forged = client.post("/workbench/loans/", {"booking": booking.pk, "policy": station_policy.pk,
                                               "purpose": "办理护照"})
    assert forged.status_code == 422 and "找不到该预约" in forged.content.decode()
    garbage = client.post("/workbench/loans/", {"booking": "9" * 30, "policy": "x", "purpose": ""})
    assert garbage.status_code == 422
    with pytest.raises(NotAllowed):
        services.lend(actor=world.clerk, booking=booking, policy=station_policy, purpose="办理护照")
    assert not Loan.objects.exists()


def test_a_second_tab_posting_the_same_lending_again_is_refused(world, policy, window, login):
    client = login(world.officer)
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    form = {"booking": booking.pk, "policy": policy.pk, "purpose": "办理护照"}
    assert client.post("/workbench/loans/", form).status_code == 302
    again = client.post("/workbench/loans/", form)
    assert again.status_code == 409 and "同一预约不能再借" in again.content.decode()
    assert Loan.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_windows_taking_back_one_loan_at_once_record_one_return(world, policy, window):
    loan = lend(world, policy)
    outcomes = at_once(2, lambda n: services.take_back(actor=world.officer, loan=loan))
    assert sorted(o.code if isinstance(o, StateConflict) else type(o).__name__ for o in outcomes) == [
        "Loan", "already_returned"]
    assert AuditEntry.objects.filter(action="loan.return").count() == 1
    assert inbox("loan.returned").count() == 1


def test_returning_goes_back_to_the_list_it_came_from_never_to_another_site(world, policy, login):
    client = login(world.officer)
    first, second = lend(world, policy), lend(world, policy, person=world.person(name="王同学"))
    back = client.post(f"/workbench/loans/{first.pk}/return/", {"back": "/workbench/loans/?tab=overdue"})
    assert back["Location"] == "/workbench/loans/?tab=overdue"
    for forged in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        answer = client.post(f"/workbench/loans/{second.pk}/return/", {"back": forged})
        assert answer["Location"] == "/workbench/loans/", forged


def test_lending_with_bad_input_names_every_field_keeps_the_input_and_lends_nothing(world, policy, window, login):
    client = login(world.officer)
    booking = walk_in(world, window, in_school(world, world.applicant_person))
    answer = client.post("/workbench/loans/", {"booking": booking.pk, "policy": "x", "item": "户口卡" * 30,
                                               "purpose": "护照" * 70})
    page = answer.content.decode()
    assert answer.status_code == 422
    for words in ("请选择借用物品", "具体物品最多 64 个字", "用途最多 128 个字"):  # all at once
        assert words in page, words
    assert 'value="' + "护照" * 70 + '"' in page and booking.person.name in page
    wrong = client.post("/workbench/loans/", {"booking": booking.pk, "policy": policy.pk, "purpose": " "})
    assert wrong.status_code == 422 and "请填写借用用途" in wrong.content.decode()
    assert not Loan.objects.exists()
