"""The demo world: a university and a city bureau, one account per role, about 200
synthetic people with valid (made-up) ID numbers. Every step is get-or-create, so
seeding twice changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Role
from tongban.accounts.services import create_org_unit, create_user, grant_role
from tongban.lib import crypto
from tongban.people import idnumber
from tongban.people.models import Category, Person
from tongban.people.services import create_person, link_account

DEMO_PASSWORD = "tongban-demo-2026"

UNITS = [
    # code, name, kind, parent code
    ("univ", "示例大学", OrgUnit.Kind.UNIVERSITY, None),
    ("univ-security", "保卫处", OrgUnit.Kind.OFFICE, "univ"),
    ("univ-econ", "经济学院", OrgUnit.Kind.COLLEGE, "univ"),
    ("univ-law", "法学院", OrgUnit.Kind.COLLEGE, "univ"),
    ("univ-info", "信息学院", OrgUnit.Kind.COLLEGE, "univ"),
    ("univ-lang", "外语学院", OrgUnit.Kind.COLLEGE, "univ"),
    ("city", "示例市公安局", OrgUnit.Kind.CITY_BUREAU, None),
    ("city-east", "东城分局", OrgUnit.Kind.BRANCH, "city"),
    ("city-west", "西城分局", OrgUnit.Kind.BRANCH, "city"),
    ("east-1", "东门派出所", OrgUnit.Kind.STATION, "city-east"),
    ("east-2", "朝阳路派出所", OrgUnit.Kind.STATION, "city-east"),
    ("west-1", "西湖派出所", OrgUnit.Kind.STATION, "city-west"),
    ("west-2", "大学城派出所", OrgUnit.Kind.STATION, "city-west"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    unit: str
    staff: bool = False


ACCOUNTS = [
    DemoAccount("student", "李同学", Role.APPLICANT, "univ-econ"),
    DemoAccount("resident", "王居民", Role.APPLICANT, "east-1"),
    DemoAccount("clerk", "赵受理", Role.CLERK, "east-1"),
    DemoAccount("auxiliary", "钱协警", Role.AUXILIARY, "east-1"),
    # The security office keeps the whole university's collective household: its officer's
    # membership sits on the university so its reach covers every college.
    DemoAccount("officer", "孙户籍", Role.OFFICER, "univ"),
    DemoAccount("station", "何民警", Role.OFFICER, "east-1"),
    DemoAccount("approver", "周审批", Role.APPROVER, "city-east"),
    DemoAccount("college", "吴辅导员", Role.COLLEGE_ADMIN, "univ-econ"),
    DemoAccount("serviceadmin", "郑事项", Role.SERVICE_ADMIN, "univ", staff=True),
    DemoAccount("supervisor", "冯督办", Role.SUPERVISOR, "univ"),
    DemoAccount("auditor", "陈审计", Role.AUDITOR, "univ"),
    DemoAccount("sysadmin", "系统管理员", Role.SYSADMIN, "univ", staff=True),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇晨欣怡浩然子涵梓萱"
REGIONS = ["110105", "310104", "440305", "510107", "420111", "330106", "320102", "610113"]
COLLEGES = ["univ-econ", "univ-law", "univ-info", "univ-lang"]
STATIONS = ["east-1", "east-2", "west-1", "west-2"]


def _units() -> dict[str, OrgUnit]:
    units = {u.code: u for u in OrgUnit.objects.all()}
    for code, name, kind, parent in UNITS:
        if code not in units:
            units[code] = create_org_unit(actor=None, code=code, name=name, kind=kind,
                                          parent=units[parent] if parent else None)
    return units


def _accounts(units: dict[str, OrgUnit]) -> dict[str, User]:
    users = {}
    for a in ACCOUNTS:
        user = User.objects.filter(username=a.username).first()
        if user is None:
            user = create_user(actor=None, username=a.username, password=DEMO_PASSWORD,
                               display_name=a.display_name, is_staff=a.staff,
                               is_superuser=a.role == Role.SYSADMIN)
        if not Membership.objects.filter(user=user, role=a.role, org_unit=units[a.unit]).exists():
            grant_role(actor=None, user=user, role=a.role, org_unit=units[a.unit])
        users[a.username] = user
    return users


def _people(units: dict[str, OrgUnit], count: int) -> int:
    rng = random.Random(20261123)
    made = 0
    for i in range(count):
        student = i < count * 3 // 4
        staff = not student and i % 2 == 0
        if student:
            year = 2022 + i % 4
            birth = dt.date(year - 18, 1 + i % 12, 1 + i % 28)
            category = Category.UNDERGRADUATE if i % 5 else Category.GRADUATE
            unit = units[COLLEGES[i % 4]]
            number = f"{year}{COLLEGES.index(unit.code) + 1:02d}{i:04d}"
        elif staff:
            year = None
            birth = dt.date(1970 + i % 25, 1 + i % 12, 1 + i % 28)
            category, unit, number = Category.STAFF, units[COLLEGES[i % 4]], f"T{i:05d}"
        else:
            year = None
            birth = dt.date(1950 + i % 60, 1 + i % 12, 1 + i % 28)
            category, unit, number = Category.RESIDENT, units[STATIONS[(i // 2) % 4]], ""
        id_number = idnumber.make(REGIONS[i % len(REGIONS)], birth, 100 + i)
        if Person.objects.filter(id_number_index=crypto.blind_index(id_number, purpose="id")).exists():
            continue
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        create_person(actor=None, name=name, id_number=id_number, category=category, org_unit=unit,
                      student_number=number, enrolment_year=year, phone=phone)
        made += 1
    return made


def enrol_staff() -> dict[str, str]:
    """Every demo account that must sign in with a second factor comes enrolled: a
    confirmed TOTP authenticator (its key printed by seed-demo, to type into an
    authenticator app). Returns user name -> the key in base32, for all of them."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongban.accounts.second_factor import needs_second_factor, secret_of

    secrets = {}
    for user in User.objects.filter(is_active=True).order_by("username"):
        if not needs_second_factor(user):
            continue
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="演示验证器", confirmed=True)
        secrets[user.username] = secret_of(device)
    return secrets


@transaction.atomic
def seed(*, people: int = 200) -> dict:
    units = _units()
    users = _accounts(units)
    made = _people(units, people)
    for username, unit_code in (("student", "univ-econ"), ("resident", "east-1")):
        user = users[username]
        if not Person.objects.filter(account=user).exists():
            person = Person.objects.filter(org_unit=units[unit_code], account=None).order_by("id").first()
            if person is not None:
                link_account(actor=None, person=person, user=user)
    from tongban.demo.catalog import seed_catalog

    services = seed_catalog(units, DEMO_PASSWORD)
    from tongban.demo.households import seed_households

    seed_households(users["officer"])
    from tongban.loans.models import Policy

    if not Policy.objects.exists():  # the household card, 8 days, lent against card-borrow bookings
        from tongban.catalog.models import ServiceItem

        Policy.objects.create(org_unit=units["univ-security"],
                              service=ServiceItem.objects.filter(code="card-borrow").first())
    from tongban.demo.bookings import seed_bookings

    seed_bookings(units)
    from tongban.demo.systems import seed_systems

    systems = seed_systems(users["sysadmin"], units)
    from tongban.demo.records import seed_records

    seed_records()
    from tongban.demo.assistant import seed_faqs

    seed_faqs(users["sysadmin"])
    from tongban.demo.campaigns import seed_campaigns

    seed_campaigns(units, users, DEMO_PASSWORD)
    enrol_staff()
    return {"units": len(units), "accounts": len(users), "people_created": made, "services_created": services,
            "systems": systems}
