"""Seeing a whole ID or phone number: only with people.unmask in the person's unit, only
with a reason, and every time on the audit trail (which itself never holds the number)."""

import json

import pytest

from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.people.services import unmask

NUMBER = "110105199001010029"
PHONE = "13812345678"


@pytest.fixture
def person(world):
    return world.person(name="王五", unit=world.econ, id_number=NUMBER, phone=PHONE)


def unmask_url(person) -> str:
    return f"/workbench/people/{person.pk}/unmask/"


def unmask_entries():
    return AuditEntry.objects.filter(action="people.unmask")


def test_an_officer_with_a_reason_sees_the_whole_number(world, login, person):
    response = login(world.officer).post(unmask_url(person), {"field": "id_number", "reason": "核对户籍迁移材料"})
    assert response.status_code == 200
    assert f'<strong class="mono" id="plain-value">{NUMBER}</strong>' in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_each_look_is_one_audit_entry_with_the_reason_and_without_the_number(world, login, person):
    login(world.officer).post(unmask_url(person), {"field": "id_number", "reason": "核对户籍迁移材料"})
    entry = unmask_entries().get()
    assert (entry.actor_id, entry.role, entry.org_unit_name, entry.object_type, entry.object_id) == (
        world.officer.pk, "officer", "示例大学", "people.person", str(person.pk))
    assert entry.summary == "查看 王五 的完整身份证号"
    assert entry.details == {"field": "id_number", "reason": "核对户籍迁移材料"}
    assert NUMBER not in json.dumps(entry.details, ensure_ascii=False) + entry.summary


def test_a_reason_quoting_the_number_is_kept_masked_on_the_trail(world, person):
    unmask(actor=world.officer, person=person, field="id_number", reason=f"来电核对 {NUMBER}")
    assert unmask_entries().get().details["reason"] == "来电核对 110105********0029"


def test_an_htmx_request_gets_only_the_unmask_fragment(world, login, person):
    response = login(world.officer).post(unmask_url(person), {"field": "phone", "reason": "联系本人"},
                                         headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith("<h2>查看完整号码</h2>")
    assert f'<strong class="mono" id="plain-value">{PHONE}</strong>' in html
    assert "<html" not in html
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("reason", ["", "  ", "查"])
def test_without_a_reason_nothing_is_shown_and_nothing_recorded(world, login, person, reason):
    response = login(world.officer).post(unmask_url(person), {"field": "id_number", "reason": reason})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<p class="error">请填写查看完整号码的事由。</p>' in html
    assert NUMBER not in html
    assert response["Cache-Control"] == "no-store"
    assert not unmask_entries().exists()


def test_an_unknown_field_is_refused(world, login, person):
    response = login(world.officer).post(unmask_url(person), {"field": "name", "reason": "核对"})
    assert response.status_code == 422
    assert "只能查看身份证号或手机号。" in response.content.decode()
    assert not unmask_entries().exists()


def test_a_phone_never_given_cannot_be_unmasked(world, login):
    no_phone = world.person(name="无手机")
    response = login(world.officer).post(unmask_url(no_phone), {"field": "phone", "reason": "联系本人"})
    assert response.status_code == 422
    assert "该人员未登记手机号。" in response.content.decode()
    assert not unmask_entries().exists()


@pytest.mark.parametrize("persona", ["college_admin", "clerk_of_the_person", "sysadmin", "auditor"])
def test_someone_who_sees_the_person_but_may_not_unmask_is_refused(world, login, person, persona):
    if persona == "clerk_of_the_person":  # a clerk may import and edit, never unmask
        person = world.person(name="东门居民", unit=world.east_1, id_number="110105199001010037",
                              category="resident", student_number="")
        user = world.clerk
    else:
        user = getattr(world, persona)
    response = login(user).post(unmask_url(person), {"field": "id_number", "reason": "核对户籍迁移材料"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "您没有权限访问此页面。" in html
    assert person.plain_id_number() not in html
    assert 'name="reason"' not in html  # no form to try again with
    assert not unmask_entries().exists()


def test_permission_is_checked_before_the_reason(world, person):
    with pytest.raises(NotAllowed):
        unmask(actor=world.college_admin, person=person, field="id_number", reason="")


def test_an_officer_cannot_unmask_someone_outside_their_reach(world, person):
    resident = world.person(name="东门居民", unit=world.east_1, id_number="110105199001010037",
                            category="resident", student_number="")
    with pytest.raises(NotAllowed):
        unmask(actor=world.officer, person=resident, field="id_number", reason="核对户籍迁移材料")
    assert not unmask_entries().exists()


def test_unmasking_someone_out_of_sight_is_not_found(world, login):
    resident = world.person(name="东门居民", unit=world.east_1, category="resident", student_number="")
    response = login(world.officer).post(unmask_url(resident), {"field": "id_number", "reason": "核对"})
    assert response.status_code == 404
    assert not unmask_entries().exists()


def test_unmasking_takes_a_post(world, login, person):
    assert login(world.officer).get(unmask_url(person)).status_code == 405


def test_the_service_says_why_it_refuses(world, person):
    with pytest.raises(ApplicationError) as caught:
        unmask(actor=world.officer, person=person, field="id_number", reason="")
    assert (caught.value.code, caught.value.field, caught.value.status) == ("reason_required", "reason", 422)
