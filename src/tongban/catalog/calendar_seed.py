"""What chinesecalendar knows, as rows for the national calendar's tables: the years
it covers, their public holidays and their make-up working days. Used once by the
data migration that seeds the tables, and by `tongban seed-calendar` after an upgrade
of the library; the database, not the library, is what deadlines read."""

from __future__ import annotations

import datetime as dt

# The legal names of the holidays, as the State Council publishes them: stored in the
# calendar's rows and shown as they are in every language.
NAMES = {
    "New Year's Day": "元旦",  # i18n: data
    "Spring Festival": "春节",  # i18n: data
    "Tomb-sweeping Day": "清明节",  # i18n: data
    "Labour Day": "劳动节",  # i18n: data
    "Dragon Boat Festival": "端午节",  # i18n: data
    "National Day": "国庆节",  # i18n: data
    "Mid-autumn Festival": "中秋节",  # i18n: data
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",  # i18n: data
}


def known_years() -> range:
    """The years the installed chinesecalendar has the State Council's arrangement for."""
    from chinese_calendar import constants

    first, last = min(constants.holidays).year, max(constants.holidays).year
    # a year's data may end in the autumn (the National Day); the year is known if the
    # library answers for its last day
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(last, 12, 31))
    except NotImplementedError:
        last -= 1
    return range(first, last + 1)


def days_of(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, kind, Chinese name) of the year's holidays and make-up working days."""
    from chinese_calendar import constants

    rows = [(day, "holiday", NAMES.get(name, name)) for day, name in constants.holidays.items() if day.year == year]
    rows += [(day, "workday", f"{NAMES.get(name, name)}调休")  # i18n: data (the make-up day's name)
             for day, name in constants.workdays.items() if day.year == year]
    return sorted(rows)


def seed_missing_years(year_model, day_model) -> int:
    """Enter each year chinesecalendar knows and the database has no row for (an
    office's own entries are never overwritten); return how many. Takes the models so
    the data migration can pass its historical ones."""
    made = 0
    have = set(year_model.objects.values_list("year", flat=True))
    for year in known_years():
        if year in have:
            continue
        year_model.objects.create(year=year, complete=True, source="chinesecalendar")
        day_model.objects.bulk_create([day_model(year_id=year, date=day, kind=kind, name=name)
                                       for day, kind, name in days_of(year)])
        made += 1
    return made


def after_migrate(**kwargs) -> None:
    """After migrate, and after a test database is flushed (which empties the tables
    the data migration filled)."""
    from tongban.catalog import workdays
    from tongban.catalog.models import CalendarDay, CalendarYear

    if seed_missing_years(CalendarYear, CalendarDay):
        workdays.forget_calendar()
