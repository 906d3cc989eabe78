"""What chinesecalendar knows, as rows for the national calendar's tables: the years
it covers, their public holidays and their make-up working days. Used once by the
data migration that seeds the tables, and by `tongban seed-calendar` after an upgrade
of the library; the database, not the library, is what deadlines read."""

from __future__ import annotations

import datetime as dt

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
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
    rows += [(day, "workday", f"{NAMES.get(name, name)}调休") for day, name in constants.workdays.items()
             if day.year == year]
    return sorted(rows)
