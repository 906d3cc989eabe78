"""Demo windows to book: the security office's household window (borrowing the card,
ID cards) and a police station's household window, open on weekdays with a lunch
break, plus a Saturday morning at the station."""

from __future__ import annotations

import datetime as dt

from tongban.accounts.models import OrgUnit
from tongban.booking.models import Resource, Session
from tongban.booking.plans import ensure_window
from tongban.catalog.models import ServiceItem

WINDOWS = [
    ("univ-security", "保卫处户籍窗口", "行政楼 101", ["card-borrow", "id-card-reissue", "hukou-move-out"]),
    ("east-1", "东门派出所户籍窗口", "东门派出所一楼大厅", ["no-criminal-record", "hukou-move-in-city"]),
]
HOURS = [(dt.time(8, 30), dt.time(11, 30)), (dt.time(14, 0), dt.time(17, 0))]


def seed_bookings(units: dict[str, OrgUnit]) -> int:
    made = 0
    for code, name, place, services in WINDOWS:
        resource, created = Resource.objects.get_or_create(org_unit=units[code], name=name,
                                                           defaults={"place": place, "capacity": 2})
        if not created:
            continue
        resource.services.set(ServiceItem.objects.filter(code__in=services))
        Session.objects.bulk_create([Session(resource=resource, weekday=day, start=start, end=end)
                                     for day in range(5) for start, end in HOURS])
        if code == "east-1":
            Session.objects.create(resource=resource, weekday=5, start=dt.time(9, 0), end=dt.time(12, 0))
        made += 1
    ensure_window()
    return made
