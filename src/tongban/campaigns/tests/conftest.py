"""A holiday whereabouts form (假期去向), published as the student affairs office would, and
students in two colleges: econ's classes 经济2301 and 经济2401, law's 法学2301."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import TestCase
from django.utils import timezone

from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Role
from tongban.accounts.services import create_org_unit, create_user, grant_role
from tongban.campaigns import services
from tongban.catalog.models import FieldType, FormField, ServiceItem
from tongban.catalog.services import publish
from tongban.conftest import PASSWORD
from tongban.people.services import link_account


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def whereabouts_service(unit) -> ServiceItem:
    item = ServiceItem.objects.create(code="holiday-whereabouts", name="假期去向登记",  # i18n: data
                                      category="学生事务",  # i18n: data
                                      org_unit=unit, audience=["student"], ways=["online"], needs_acceptance=False,
                                      effect="campaigns.form")
    fields = [("name", "姓名", FieldType.TEXT, "name", ""),  # i18n: data
              ("going", "去向", FieldType.CHOICE, "", "留校\n回家\n外出旅行"),  # i18n: data
              ("address", "假期住址", FieldType.ADDRESS, "", ""),  # i18n: data
              ("phone", "紧急联系电话", FieldType.PHONE, "", "")]  # i18n: data
    for order, (key, label, kind, prefill, options) in enumerate(fields, start=1):
        FormField.objects.create(item=item, order=order, key=key, label=label, type=kind, prefill=prefill,
                                 options=options, required=key != "address")
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


def answers(going="回家", phone="13800138000", **more):  # i18n: data
    return {"going": going, "address": "河北省保定市", "phone": phone, **more}  # i18n: data


@pytest.fixture
def hall(world):
    """The student affairs office (学工部) admin at the university, a counsellor of econ's
    class 经济2301 only, the econ college admin (world.college_admin), students with accounts."""
    unit = lambda code, name, parent: create_org_unit(actor=None, code=code, name=name,  # noqa: E731
                                                      kind=OrgUnit.Kind.OTHER, parent=parent)
    affairs = create_org_unit(actor=None, code="univ-affairs", name="学工部", kind=OrgUnit.Kind.OFFICE,  # i18n: data
                              parent=world.univ)
    econ_prog = unit("econ-fin", "金融学", world.econ)  # i18n: data
    econ_23 = unit("econ-2301", "经济2301", econ_prog)  # i18n: data
    econ_24 = unit("econ-2401", "经济2401", world.econ)  # i18n: data
    law_23 = unit("law-2301", "法学2301", world.law)  # i18n: data

    def user(name, role=None, org=None):
        u = create_user(actor=None, username=name, password=PASSWORD, display_name=name)
        if role:
            grant_role(actor=None, user=u, role=role, org_unit=org)
        return u

    dept = user("dept_admin", Role.COLLEGE_ADMIN, world.univ)
    counsellor = user("counsellor", Role.COLLEGE_ADMIN, econ_23)
    students = {}
    for key, org, year in [("a", econ_23, 2023), ("b", econ_23, 2023), ("c", econ_24, 2024), ("d", law_23, 2023)]:
        person = world.person(unit=org, name=f"学生{key}", enrolment_year=year)  # i18n: data
        students[key] = link_account(actor=None, person=person, user=user(f"student_{key}", Role.APPLICANT, org))
    item = whereabouts_service(affairs)
    return SimpleNamespace(affairs=affairs, econ_23=econ_23, econ_24=econ_24, law_23=law_23, econ_prog=econ_prog,
                           dept=dept, counsellor=counsellor, students=students, item=item)


def make(hall, *, actor=None, rule=None, hours=48, **kwargs):
    now = timezone.now()
    return services.create_campaign(actor=actor or hall.dept, name=kwargs.pop("name", "国庆假期去向"),  # i18n: data
                                    item=hall.item, opens_at=kwargs.pop("opens_at", now - timedelta(minutes=1)),
                                    closes_at=kwargs.pop("closes_at", now + timedelta(hours=hours)),
                                    rule={"categories": ["undergraduate"]} if rule is None else rule, **kwargs)


def committed():
    """Run what the block leaves for after commit (the dispatch job) as it ends: the test's
    transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def start(actor, campaign):
    with committed():
        services.start_dispatch(actor=actor, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def sent(hall, **kwargs):
    campaign = make(hall, **kwargs)
    start(kwargs.get("actor") or hall.dept, campaign)
    campaign.refresh_from_db()
    return campaign


def assignment_of(campaign, person):
    return campaign.assignments.get(person=person)
