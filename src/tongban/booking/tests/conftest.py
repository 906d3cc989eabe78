"""A window of 东门派出所 (where the clerk works) taking bookings for two published
services, open Monday to Friday 09:00–11:30 and 14:00–17:00 (the lunch break between),
30-minute slots of two places; and a clock the booking rules read, set by the test.

Most tests stand on Monday 2026-09-28 at 09:00: the week before National Day
(2026-10-01..07 off, Saturday 2026-10-10 a make-up working day)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user
from tongban.booking import clock, plans
from tongban.booking.models import Resource, Session, Slot
from tongban.catalog.models import Material, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish
from tongban.people.services import link_account

MONDAY = dt.date(2026, 9, 28)
_n = itertools.count(1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def now(monkeypatch):
    """`now(day, hour, minute=0)` sets the time the booking rules see; starts at
    Monday 2026-09-28 09:00."""
    state = {"now": at(MONDAY, 9)}
    monkeypatch.setattr(clock, "now", lambda: state["now"])

    def _set(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        state["now"] = at(day, hour, minute)
        return state["now"]

    return _set


def make_service(world, code: str, name: str) -> ServiceItem:
    item = ServiceItem.objects.create(code=code, name=name, category="户籍", org_unit=world.east_1,
                                      serial_prefix="YY", audience=["student", "resident"], ways=["appointment"],
                                      needs_acceptance=False)
    Material.objects.create(item=item, order=1, key="id_card", name="居民身份证原件", required=True)
    Material.objects.create(item=item, order=2, key="photo", name="近期免冠照片", required=False)
    Step.objects.create(item=item, stage=1, key="window", name="窗口受理", role=Role.CLERK,
                        unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=1)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def desk(world, now):
    """The window, its two services, and its slots from Monday 09-28 to Sunday 10-18."""
    id_card = make_service(world, "id-card", "居民身份证办理")
    proof = make_service(world, "hukou-proof", "户籍证明开具")
    window = Resource.objects.create(name="户籍窗口 1", org_unit=world.east_1, place="东门派出所一楼大厅",
                                     slot_minutes=30, capacity=2)
    window.services.set([id_card, proof])
    for weekday in range(5):
        Session.objects.create(resource=window, weekday=weekday, start=dt.time(9), end=dt.time(11, 30))
        Session.objects.create(resource=window, weekday=weekday, start=dt.time(14), end=dt.time(17))
    plans.ensure_slots(resource=window, first=MONDAY, last=MONDAY + dt.timedelta(days=20))
    return SimpleNamespace(resource=window, id_card=id_card, proof=proof)


def slot(resource: Resource, day: dt.date, hour: int, minute: int = 0) -> Slot:
    return Slot.objects.get(resource=resource, start=at(day, hour, minute))


@pytest.fixture
def applicant_like(world):
    """`applicant_like(name)`: another applicant, bound to a person of 经济学院."""

    def _make(name: str = "王同学"):
        user = create_user(actor=None, username=f"app{next(_n)}", password="x-long-password-1", display_name=name)
        link_account(actor=None, person=world.person(name=name), user=user)
        return user

    return _make
