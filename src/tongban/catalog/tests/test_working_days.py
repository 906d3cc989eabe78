import datetime as dt
import logging

import pytest

from tongban.catalog import workdays
from tongban.catalog.models import Closure
from tongban.catalog.workdays import add_working_days, is_working_day, working_days_between

D = dt.date

# the national calendar is data in the database
pytestmark = pytest.mark.django_db


def close(unit, start, end, reason="搬迁"):
    return Closure.objects.create(org_unit=unit, start=start, end=end, reason=reason)


def test_a_deadline_crossing_national_day_lands_on_the_make_up_saturday():
    # Wed 30 Sep; 1–7 Oct are holidays; Thu 8, Fri 9 and the make-up Sat 10 Oct work.
    start = D(2026, 9, 30)
    assert [add_working_days(start, n) for n in (1, 2, 3, 4)] == [
        D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10), D(2026, 10, 12)]


def test_the_make_up_sunday_counts():
    assert is_working_day(D(2026, 9, 20))
    assert not is_working_day(D(2026, 9, 19))
    assert add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)


def test_national_holidays_and_weekends_do_not_count():
    assert not is_working_day(D(2026, 10, 1))
    assert not is_working_day(D(2026, 10, 11))
    assert is_working_day(D(2026, 10, 12))


def test_zero_days_is_today_if_today_works_else_the_next_working_day():
    assert add_working_days(D(2026, 10, 8), 0) == D(2026, 10, 8)
    assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 8)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 10, 8), -1)


def test_a_closure_of_the_city_bureau_applies_to_every_unit_below_it(world):
    close(world.city, D(2026, 10, 8), D(2026, 10, 9))
    assert not is_working_day(D(2026, 10, 8), unit=world.east_1)
    assert not is_working_day(D(2026, 10, 9), unit=world.west)
    assert is_working_day(D(2026, 10, 8), unit=world.econ)
    assert is_working_day(D(2026, 10, 8))
    assert add_working_days(D(2026, 9, 30), 1, unit=world.east_1) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 1, unit=world.univ) == D(2026, 10, 8)


def test_a_closure_of_a_branch_applies_to_its_station_but_not_to_a_sibling_branch(world):
    close(world.east, D(2026, 10, 10), D(2026, 10, 10))
    assert not is_working_day(D(2026, 10, 10), unit=world.east_1)
    assert not is_working_day(D(2026, 10, 10), unit=world.east)
    assert is_working_day(D(2026, 10, 10), unit=world.west)
    assert is_working_day(D(2026, 10, 10), unit=world.city)
    assert add_working_days(D(2026, 9, 30), 3, unit=world.east_1) == D(2026, 10, 12)
    assert add_working_days(D(2026, 9, 30), 3, unit=world.west) == D(2026, 10, 10)


def test_overlapping_and_back_to_back_closures_are_all_skipped(world):
    close(world.city, D(2026, 10, 12), D(2026, 10, 14))
    close(world.east, D(2026, 10, 13), D(2026, 10, 15))
    close(world.east_1, D(2026, 10, 16), D(2026, 10, 16))
    assert add_working_days(D(2026, 10, 10), 1, unit=world.east_1) == D(2026, 10, 19)
    assert working_days_between(D(2026, 10, 10), D(2026, 10, 19), unit=world.east_1) == 1


def test_a_deadline_fetches_closures_in_one_query(world, django_assert_num_queries):
    close(world.city, D(2026, 10, 8), D(2026, 10, 9))
    workdays.year_has_data(2026)  # the national calendar, read once per process
    with django_assert_num_queries(1):
        assert add_working_days(D(2026, 9, 1), 22, unit=world.east_1) == D(2026, 10, 10)
    with django_assert_num_queries(1):
        assert working_days_between(D(2026, 9, 1), D(2026, 10, 10), unit=world.east_1) == 22


def test_a_closure_longer_than_the_window_is_walked_past(world):
    close(world.east_1, D(2026, 1, 1), D(2026, 6, 30), reason="装修")
    assert add_working_days(D(2025, 12, 31), 1, unit=world.east_1) == D(2026, 7, 1)


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday_and_is_flagged(monkeypatch, caplog):
    monkeypatch.setattr(workdays, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="tongban.catalog.workdays"):
        assert is_working_day(D(2099, 1, 1))  # a Thursday: New Year's Day is not known
        assert not is_working_day(D(2099, 1, 3))  # Saturday
        assert add_working_days(D(2099, 1, 2), 1) == D(2099, 1, 5)
        assert working_days_between(D(2099, 1, 1), D(2099, 1, 31)) == 21
    warnings = [r for r in caplog.records if r.name == "tongban.catalog.workdays"]
    assert len(warnings) == 1
    assert "2099" in warnings[0].getMessage()
    assert workdays.years_without_data(D(2099, 1, 2), D(2099, 1, 5)) == [2099]


def test_no_working_days_lie_in_an_empty_or_backward_range():
    assert working_days_between(D(2026, 10, 8), D(2026, 10, 8)) == 0
    assert working_days_between(D(2026, 10, 9), D(2026, 10, 8)) == 0


def test_working_days_between_agrees_with_add_working_days(world):
    close(world.east, D(2026, 9, 28), D(2026, 9, 29))
    close(world.city, D(2026, 10, 12), D(2026, 10, 12))
    for unit in (None, world.east_1, world.west):
        for offset in range(60):
            start = D(2026, 9, 1) + dt.timedelta(days=offset)
            for days in (1, 2, 3, 5, 8):
                deadline = add_working_days(start, days, unit=unit)
                assert working_days_between(start, deadline, unit=unit) == days
                assert working_days_between(start, deadline - dt.timedelta(days=1), unit=unit) == days - 1
                assert is_working_day(deadline, unit=unit)
