"""The auditor's page, /workbench/audit/: the whole trail, newest first, narrowed to one
object's trail or one account's; nobody else may open it."""

import pytest

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role, record_login
from tongban.audit.models import AuditEntry
from tongban.people.services import unmask

URL = "/workbench/audit/"


def _shown(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    return [(e.action, e.summary) for e in response.context["page"]]


def test_the_auditor_sees_the_whole_trail_newest_first(world, login):
    response = login(world.auditor).get(URL)

    total = AuditEntry.objects.count()
    assert [e.seq for e in response.context["page"]] == list(range(total, 0, -1))
    assert response.context["page"].paginator.count == total
    assert f"共 {total} 条" in response.text
    assert "新建单位 示例大学" in response.text


def test_an_objects_trail_holds_every_entry_about_it_and_nothing_else(world, login):
    person = world.applicant_person
    other = world.person(name="王五")
    unmask(actor=world.officer, person=person, field="id_number", reason="核对户籍")
    unmask(actor=world.officer, person=other, field="id_number", reason="核对户籍")

    response = login(world.auditor).get(URL, {"object_type": "people.person", "object_id": person.pk})

    assert _shown(response) == [
        ("people.unmask", "查看 李同学 的完整身份证号"),
        ("people.link_account", "李同学 绑定账号 applicant"),
        ("people.create", "新增人员 李同学"),
    ]


def _namesake(username: str, unit):
    user = create_user(actor=None, username=username, password="x" * 12, display_name="张伟")
    grant_role(actor=None, user=user, role=Role.OFFICER, org_unit=unit)
    return user


def test_a_users_trail_is_their_own_acts_and_not_a_namesakes(world, login):
    first, second = _namesake("zhangwei1", world.univ), _namesake("zhangwei2", world.univ)
    record_login(user=first)
    unmask(actor=first, person=world.applicant_person, field="id_number", reason="核对户籍")
    record_login(user=second)

    auditor = login(world.auditor)
    response = auditor.get(URL, {"actor_id": first.pk})

    assert _shown(response) == [("people.unmask", "查看 李同学 的完整身份证号"), ("account.login", "张伟 登录")]
    assert {e.actor_id for e in response.context["page"]} == {first.pk}
    assert f'<a href="?actor_id={first.pk}">张伟</a>' in response.text
    # The name box matches the name as written, so both namesakes.
    by_name = auditor.get(URL, {"actor": "张伟"})
    assert [(e.action, e.actor_id) for e in by_name.context["page"]] == [
        ("account.login", second.pk), ("people.unmask", first.pk), ("account.login", first.pk)]


def test_filters_combine(world, login):
    unmask(actor=world.officer, person=world.applicant_person, field="id_number", reason="核对户籍")
    record_login(user=world.officer)

    response = login(world.auditor).get(URL, {"actor_id": world.officer.pk, "action": "people."})

    assert _shown(response) == [("people.unmask", "查看 李同学 的完整身份证号")]


def test_a_filter_that_matches_nothing_says_so(world, login):
    response = login(world.auditor).get(URL, {"object_type": "people.person", "object_id": "999999"})

    assert _shown(response) == []
    assert "没有记录" in response.text


@pytest.mark.parametrize("url", [URL, URL + "export.csv"])
@pytest.mark.parametrize("persona", ["officer", "outsider", "college_admin", "sysadmin"])
def test_anyone_but_the_auditor_is_refused(world, login, persona, url):
    response = login(getattr(world, persona)).get(url)

    assert response.status_code == 403


@pytest.mark.parametrize("url", [URL, URL + "export.csv"])
def test_an_anonymous_visitor_is_sent_to_log_in(world, client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
