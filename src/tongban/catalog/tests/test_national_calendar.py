"""The national calendar is data: seeded from chinesecalendar for the years it knows,
entered per year in the back office by who manages the whole catalog (audited), read
by every deadline; a deadline counted through a year without complete data is still
computed (Monday to Friday) but says so, here, in the back office and in /healthz."""

import datetime as dt

import pytest
from django.core.management import call_command

from tongban.audit.models import AuditEntry
from tongban.catalog import services, workdays
from tongban.catalog.models import CalendarDay, CalendarYear
from tongban.catalog.workdays import add_working_days, is_working_day, years_without_data
from tongban.lib.errors import NotAllowed

pytestmark = pytest.mark.django_db

D = dt.date
# 2027 as a test enters it: New Year's Day on Friday 1 January
NEW_YEAR_2027 = [(D(2027, 1, 1), "holiday", "元旦")]


def test_the_years_chinesecalendar_knows_are_seeded_and_complete():
    assert workdays.year_has_data(2026) and workdays.year_has_data(2004)
    assert not workdays.year_has_data(2027)
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=D(2026, 9, 20)).kind == "workday"


def test_a_deadline_into_a_year_without_data_is_computed_monday_to_friday_and_flagged():
    start = D(2026, 12, 30)  # Wednesday
    due = add_working_days(start, 3)
    assert due == D(2027, 1, 4)  # 31 Dec, (1 Jan counted as a Friday), 4 Jan
    assert years_without_data(start, due) == [2027]
    assert years_without_data(start, D(2026, 12, 31)) == []


def test_with_2027_entered_the_same_deadline_skips_new_years_day_and_is_not_flagged(world):
    start = D(2026, 12, 30)
    assert add_working_days(start, 3) == D(2027, 1, 4)  # read (and kept) before 2027 is entered
    services.enter_calendar_year(actor=world.sysadmin, year=2027, days=NEW_YEAR_2027, complete=True,
                                 source="国务院办公厅通知")
    assert not is_working_day(D(2027, 1, 1))
    assert add_working_days(start, 3) == D(2027, 1, 5)
    assert years_without_data(start, D(2027, 1, 5)) == []
    entry = AuditEntry.objects.get(action="catalog.calendar_enter")
    assert entry.actor_id == world.sysadmin.pk and entry.details["days"] == 1


def test_a_year_entered_but_not_marked_complete_counts_its_days_and_stays_flagged(world):
    services.enter_calendar_year(actor=world.sysadmin, year=2027, days=NEW_YEAR_2027, complete=False)
    assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 5)
    assert years_without_data(D(2026, 12, 30), D(2027, 1, 5)) == [2027]


def test_a_service_admin_of_one_university_cannot_change_the_national_calendar(service_admin):
    with pytest.raises(NotAllowed):
        services.enter_calendar_year(actor=service_admin, year=2027, days=NEW_YEAR_2027, complete=True)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_day_outside_its_year_is_refused(world):
    from tongban.lib.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        services.enter_calendar_year(actor=world.sysadmin, year=2027, days=[(D(2028, 1, 1), "holiday", "元旦")],
                                     complete=True)
    assert refused.value.field == "date"


def _admin(user, login):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return login(user)


def _year_form(year=2027, complete=True, days=()):
    data = {"year": year, "source": "国务院办公厅通知", "days-TOTAL_FORMS": len(days), "days-INITIAL_FORMS": 0,
            "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    if complete:
        data["complete"] = "on"
    for i, (day, kind, name) in enumerate(days):
        data.update({f"days-{i}-date": day.isoformat(), f"days-{i}-kind": kind, f"days-{i}-name": name})
    return data


def test_the_sysadmin_enters_a_year_in_the_back_office_and_it_is_on_the_trail(world, login):
    client = _admin(world.sysadmin, login)
    assert "2027 年尚无完整的节假日数据" in client.get("/admin/catalog/calendaryear/", follow=True).content.decode()
    answer = client.post("/admin/catalog/calendaryear/add/", _year_form(days=NEW_YEAR_2027))
    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    assert workdays.year_has_data(2027) and not is_working_day(D(2027, 1, 1))
    assert AuditEntry.objects.filter(action="catalog.calendar_year", object_id="2027").exists()
    days = AuditEntry.objects.get(action="catalog.calendar_days").details["days"]
    assert days == [{"date": "2027-01-01", "kind": "holiday", "name": "元旦", "act": "save"}]


def test_a_day_of_another_year_is_an_error_on_the_form_not_a_500(world, login):
    client = _admin(world.sysadmin, login)
    answer = client.post("/admin/catalog/calendaryear/add/",
                         _year_form(days=[(D(2028, 1, 1), "holiday", "元旦")]))
    assert answer.status_code == 200 and "不在 2027 年" in answer.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_service_admin_sees_the_calendar_but_a_forged_post_changes_nothing(service_admin, login):
    client = login(service_admin)
    assert client.get("/admin/catalog/calendaryear/").status_code == 200
    assert client.post("/admin/catalog/calendaryear/add/", _year_form(days=NEW_YEAR_2027)).status_code == 403
    assert client.post("/admin/catalog/calendaryear/2026/change/",
                       _year_form(year=2026, complete=False)).status_code == 403
    assert CalendarYear.objects.get(year=2026).complete and not CalendarYear.objects.filter(year=2027).exists()


def test_healthz_warns_of_a_year_without_data_and_stops_once_it_is_entered(client, world, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 12, 3))
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["database"]["ok"], body["queue"]["ok"]) == ("warn", True, True)
    assert body["calendar"] == {"ok": False, "years_without_data": [2027]}
    services.enter_calendar_year(actor=world.sysadmin, year=2027, days=NEW_YEAR_2027, complete=True)
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["calendar"] == {"ok": True, "years_without_data": []}


def test_healthz_names_no_setting_or_secret(client, settings):
    text = client.get("/healthz").content.decode()
    for secret in (settings.SECRET_KEY, str(settings.DATABASES["default"]["NAME"])):
        assert secret not in text


def test_healthz_is_503_when_the_queue_does_not_answer(client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def broken():
        raise OSError("no queue")

    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "pending_count", broken)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["queue"] == {"ok": False}


def test_seed_calendar_enters_only_years_the_database_lacks(world):
    CalendarDay.objects.filter(year_id=2025).delete()
    CalendarYear.objects.filter(year=2025).delete()
    CalendarDay.objects.filter(date=D(2026, 10, 1)).update(name="本处改过")
    call_command("seed-calendar")
    assert workdays.year_has_data(2025) and not is_working_day(D(2025, 10, 1))
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "本处改过"
    assert AuditEntry.objects.filter(action="catalog.calendar_enter", object_id="2025").count() == 1


def test_a_flushed_database_gets_its_calendar_back_after_migrate():
    from django.apps import apps
    from django.db.models.signals import post_migrate

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    post_migrate.send(sender=apps.get_app_config("catalog"), app_config=apps.get_app_config("catalog"),
                      verbosity=0, interactive=False, using="default", plan=[], apps=apps)
    workdays.forget_calendar()
    assert workdays.year_has_data(2026) and not is_working_day(D(2026, 10, 1))


def test_the_booking_windows_public_holidays_come_from_the_same_data(world):
    from tongban.booking.plans import public_holiday

    assert public_holiday(D(2026, 10, 1)) and not public_holiday(D(2026, 10, 10))
    assert not public_holiday(D(2027, 1, 1))
    services.enter_calendar_year(actor=world.sysadmin, year=2027, days=NEW_YEAR_2027, complete=True)
    assert public_holiday(D(2027, 1, 1))


def test_the_case_page_and_the_staff_list_flag_a_deadline_in_a_year_without_data(draft, world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases import services as cases
    from tongban.cases.models import Case
    from tongban.cases.uploads import attach
    from tongban.catalog.services import publish

    publish(actor=None, item=draft)
    draft.refresh_from_db()
    case = cases.start_application(actor=world.applicant, item=draft)
    attach(actor=world.applicant, case=case, material_key="photo",
           upload=SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 24, content_type="image/png"))
    case = cases.submit(actor=world.applicant, case=case, answers={"reason": "到期"})
    Case.objects.filter(pk=case.pk).update(due_date=D(2027, 1, 4))  # counted from 30 December 2026
    warning = "2027 年节假日尚未公布，日期按周一至周五估算"
    assert warning in login(world.applicant).get(f"/cases/{case.pk}/").content.decode()
    assert warning in login(world.officer).get("/workbench/cases/").content.decode()
    services.enter_calendar_year(actor=world.sysadmin, year=2027, days=NEW_YEAR_2027, complete=True)
    assert warning not in login(world.applicant).get(f"/cases/{case.pk}/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_entries_of_one_year_at_once_leave_one_set_of_days(world):
    from tongban.conftest import at_once, failures

    sets = [NEW_YEAR_2027, [(D(2027, 1, 1), "holiday", "元旦"), (D(2027, 2, 6), "holiday", "春节")]]
    outcomes = at_once(2, lambda n: services.enter_calendar_year(actor=world.sysadmin, year=2027, days=sets[n],
                                                                 complete=True))
    assert failures(outcomes) == []
    days = sorted(CalendarDay.objects.filter(year_id=2027).values_list("date", flat=True))
    assert days in ([d for d, _, _ in sets[0]], [d for d, _, _ in sets[1]])
    assert AuditEntry.objects.filter(action="catalog.calendar_enter").count() == 2
