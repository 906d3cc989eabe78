"""The demo's 要我办: the student affairs office (学工部) and its holiday whereabouts form
(假期去向登记), a few more econ students with accounts to fill it on their phones, and one
campaign the econ counsellor sent, a couple of answers in, so that its page has counts to
show and the rest can be filled (and reminded) live. Get-or-create: seeding twice changes
nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Role
from tongban.accounts.services import create_org_unit, create_user, grant_role
from tongban.catalog.models import FieldType, FormField, ServiceItem
from tongban.catalog.services import publish
from tongban.people.models import Category, Person
from tongban.people.services import link_account

CODE = "holiday-whereabouts"
CAMPAIGN = "国庆假期去向登记（演示）"  # i18n: data
FIELDS = [  # key, label, type, prefill, options, required
    ("name", "姓名", FieldType.TEXT, "name", "", True),  # i18n: data
    ("student_number", "学号", FieldType.TEXT, "student_number", "", True),  # i18n: data
    ("going", "假期去向", FieldType.CHOICE, "", "留校\n回家\n外出旅行\n实习", True),  # i18n: data
    ("address", "假期所在地址", FieldType.ADDRESS, "", "", True),  # i18n: data
    ("leave_on", "离校日期", FieldType.DATE, "", "", False),  # i18n: data
    ("phone", "假期联系电话", FieldType.PHONE, "", "", True),  # i18n: data
]
STUDENTS = [("student2", "经济学院学生二"), ("student3", "经济学院学生三"),  # i18n: data
            ("student4", "经济学院学生四"), ("student5", "经济学院学生五")]  # i18n: data


def _service(affairs: OrgUnit) -> ServiceItem:
    item = ServiceItem.objects.filter(code=CODE).first()
    if item is not None:
        return item
    item = ServiceItem.objects.create(
        code=CODE, name="假期去向登记", category="学生事务", org_unit=affairs,  # i18n: data
        audience=["student"], ways=["online"], needs_acceptance=False, effect="campaigns.form",
        conditions="在校学生，每个假期前由学校发起填报",  # i18n: data
        process="收到待办后在手机上填写，截止前可修改")  # i18n: data
    for order, (key, label, kind, prefill, options, required) in enumerate(FIELDS, start=1):
        FormField.objects.create(item=item, order=order, key=key, label=label, type=kind, prefill=prefill,
                                 options=options, required=required)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


def _students(units: dict[str, OrgUnit], password: str) -> list[User]:
    users = []
    free = Person.objects.filter(org_unit=units["univ-econ"], account=None, category=Category.UNDERGRADUATE
                                 ).order_by("id")
    for username, display in STUDENTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            person = free.first()
            if person is None:
                break
            user = create_user(actor=None, username=username, password=password, display_name=display)
            grant_role(actor=None, user=user, role=Role.APPLICANT, org_unit=units["univ-econ"])
            link_account(actor=None, person=person, user=user)
        users.append(user)
    return users


def seed_campaigns(units: dict[str, OrgUnit], users: dict[str, User], password: str) -> int:
    """The office, the form, the students; the counsellor's campaign once. Returns how
    many campaigns were made (0 on a second seed)."""
    from tongban.campaigns import services
    from tongban.campaigns.models import Campaign

    affairs = units.get("univ-affairs") or create_org_unit(actor=None, code="univ-affairs", name="学工部",  # i18n: data
                                                            kind=OrgUnit.Kind.OFFICE, parent=units["univ"])
    units["univ-affairs"] = affairs
    item = _service(affairs)
    students = _students(units, password)
    dept = User.objects.filter(username="affairs").first()
    if dept is None:
        dept = create_user(actor=None, username="affairs", password=password, display_name="学工部管理员")  # i18n: data
    # a department admin: campaigns to every student of the university
    if not Membership.objects.filter(user=dept, role=Role.COLLEGE_ADMIN, org_unit=units["univ"]).exists():
        grant_role(actor=None, user=dept, role=Role.COLLEGE_ADMIN, org_unit=units["univ"])
    if Campaign.objects.filter(name=CAMPAIGN).exists():
        return 0
    counsellor = users["college"]
    now = timezone.now()
    campaign = services.create_campaign(
        actor=counsellor, name=CAMPAIGN, item=item, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=5),
        rule={"categories": [Category.UNDERGRADUATE], "units": [units["univ-econ"].pk]},
        instructions="请如实填写国庆假期去向，离校前完成；行程有变请在截止前修改。",  # i18n: data
        needs_approval=True, remind_hours_before=24)
    services.start_dispatch(actor=counsellor, campaign=campaign)
    services.run_dispatch_job(campaign_id=campaign.pk)  # here, not on the queue: the demo shows it sent
    filled = [("回家", "河北省保定市莲池区某街 1 号"), ("留校", "示例大学 3 号宿舍楼")]  # i18n: data
    for n, (user, (going, address)) in enumerate(zip(students, filled, strict=False)):
        todo = campaign.assignments.get(person__account=user)
        services.fill(actor=user, assignment_id=todo.pk,
                      answers={"going": going, "address": address, "phone": f"1380013800{n}"})
    return 1
