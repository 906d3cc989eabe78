"""The workbench pages: the to-do list and its tabs, a case with the decide form for
those who may act, deciding and claiming through the page, case search scoped to
what the viewer may see, and delegating one's work."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.cases import services
from tongban.cases.models import Case, Delegation, WorkItem
from tongban.cases.tests.conftest import said_at

pytestmark = pytest.mark.django_db


def _flash(answer) -> list[str]:
    return [str(m) for m in get_messages(answer.wsgi_request)]


@pytest.fixture
def case(certificate_service, submitted):
    return submitted(certificate_service)


@pytest.fixture
def step(case):
    return WorkItem.objects.get(case=case, state="open")


@pytest.fixture
def colleague(world):
    """A second counsellor of 经济学院."""
    user = create_user(actor=None, username="colleague", password="x-long-password", display_name="王老师")
    grant_role(actor=None, user=user, role=Role.COLLEGE_ADMIN, org_unit=world.econ)
    return user


def _rows(answer) -> str:
    return answer.content.decode().split("<tbody>", 1)[1]


def test_the_college_admins_todo_lists_the_work_item(world, case, step, login):
    page = login(world.college_admin).get("/workbench/todo/")
    assert page.status_code == 200
    rows = _rows(page)
    assert case.serial in rows and "学院审核" in rows and "李同学" in rows
    assert f'href="/workbench/cases/{case.pk}/"' in rows


def test_the_todo_needs_a_staff_role(world, login, client):
    assert login(world.outsider).get("/workbench/todo/").status_code == 403
    client.logout()
    assert client.get("/workbench/todo/").status_code == 302


def test_someone_with_another_role_in_the_unit_sees_the_work_only_in_the_unit_tab(world, case, login):
    clerk = create_user(actor=None, username="econ_clerk", password="x-long-password")
    grant_role(actor=None, user=clerk, role=Role.CLERK, org_unit=world.econ)
    client = login(clerk)
    assert case.serial not in _rows(client.get("/workbench/todo/"))
    assert case.serial in _rows(client.get("/workbench/todo/?tab=unit"))


def test_the_overdue_tab_lists_work_past_its_deadline(world, case, step, login):
    client = login(world.college_admin)
    assert case.serial not in _rows(client.get("/workbench/todo/?tab=overdue"))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    WorkItem.objects.filter(pk=step.pk).update(due_date=yesterday)
    rows = _rows(client.get("/workbench/todo/?tab=overdue"))
    assert case.serial in rows and f"{yesterday:%Y-%m-%d} 已超期" in rows


def test_the_done_tab_lists_what_i_decided(world, case, step, login):
    client = login(world.college_admin)
    assert case.serial not in _rows(client.get("/workbench/todo/?tab=done"))
    services.decide(actor=world.college_admin, item=step, outcome="approve")
    assert case.serial not in _rows(client.get("/workbench/todo/"))
    rows = _rows(client.get("/workbench/todo/?tab=done"))
    assert case.serial in rows and "同意" in rows


def test_the_case_page_shows_the_decide_form_only_to_those_who_may_act(world, case, step, login):
    form = f'action="/workbench/work/{step.pk}/"'
    page = login(world.college_admin).get(f"/workbench/cases/{case.pk}/")
    assert page.status_code == 200 and form in page.content.decode()
    page = login(world.officer).get(f"/workbench/cases/{case.pk}/")  # sees the university's cases
    assert page.status_code == 200
    assert case.serial in page.content.decode() and form not in page.content.decode()


def test_approving_through_the_page_moves_the_case_on(world, case, step, login, academic):
    answer = login(world.college_admin).post(f"/workbench/work/{step.pk}/", {"outcome": "approve", "comment": ""})
    assert (answer.status_code, answer["Location"]) == (302, f"/workbench/cases/{case.pk}/")
    assert _flash(answer) == ["已办理。"]
    done = WorkItem.objects.get(pk=step.pk)
    assert (done.state, done.outcome, done.decided_by) == ("done", "approve", world.college_admin)
    assert Case.objects.get(pk=case.pk).stage == 2
    assert WorkItem.objects.get(case=case, state="open").step_key == "academic"


def test_rejecting_through_the_page_without_a_reason_is_refused_with_a_message(world, case, step, login):
    answer = login(world.college_admin).post(f"/workbench/work/{step.pk}/", {"outcome": "reject"})
    assert answer.status_code == 400 and said_at(answer, f"work-{step.pk}-comment") == ["请填写意见或原因"]
    assert WorkItem.objects.get(pk=step.pk).state == "open"


def test_someone_who_sees_the_case_but_holds_no_step_cannot_decide_it(world, case, step, login):
    answer = login(world.officer).post(f"/workbench/work/{step.pk}/", {"outcome": "approve"})
    # the page offers the officer no form for the step: the refusal is said above the case
    assert answer.status_code == 400 and '<ul class="errorlist" role="alert"><li>这项待办不属于您。</li>' in (
        answer.content.decode())
    assert WorkItem.objects.get(pk=step.pk).state == "open"


def test_a_claimed_item_is_refused_to_a_colleague(world, case, step, colleague, login):
    answer = login(world.college_admin).post(f"/workbench/work/{step.pk}/", {"claim": "1"})
    assert _flash(answer) == ["已认领。"]
    assert WorkItem.objects.get(pk=step.pk).assignee == world.college_admin
    other = Client()
    other.force_login(colleague)
    answer = other.post(f"/workbench/work/{step.pk}/", {"claim": "1"})
    assert answer.status_code == 400 and "这项待办已被他人认领" in answer.content.decode()
    assert WorkItem.objects.get(pk=step.pk).assignee == world.college_admin
    # and the claimed item is no longer the colleague's to decide
    page = other.get(f"/workbench/cases/{case.pk}/")
    assert f'action="/workbench/work/{step.pk}/"' not in page.content.decode()
    other.post(f"/workbench/work/{step.pk}/", {"outcome": "approve"})
    assert WorkItem.objects.get(pk=step.pk).state == "open"


@pytest.mark.parametrize(("query", "status", "found"), [
    ("{serial}", "", True), ("{serial_lower}", "", True), ("李同学", "", True), ("李", "", True),
    ("王", "", False), ("", "in_approval", True), ("", "completed", False), ("XW-2000-000001", "", False),
])
def test_case_search_finds_by_serial_applicant_name_and_status(world, case, login, query, status, found):
    query = query.format(serial=case.serial, serial_lower=case.serial.lower())
    page = login(world.officer).get("/workbench/cases/", {"q": query, "status": status})
    assert page.status_code == 200
    assert (case.serial in _rows(page)) is found


def test_a_case_outside_ones_unit_tree_is_neither_listed_nor_shown(world, case, login):
    client = login(world.clerk)  # 东门派出所: nothing to do with the university
    assert case.serial not in _rows(client.get("/workbench/cases/", {"q": case.serial}))
    assert case.serial not in _rows(client.get("/workbench/cases/"))
    assert client.get(f"/workbench/cases/{case.pk}/").status_code == 404
    step = WorkItem.objects.get(case=case, state="open")
    assert client.post(f"/workbench/work/{step.pk}/", {"outcome": "approve"}).status_code == 404
    assert client.post(f"/workbench/cases/{case.pk}/accept/", {"decision": "refuse"}).status_code == 404


def test_a_draft_is_never_listed_to_staff(world, certificate_service, login):
    draft = services.start_application(actor=world.applicant, item=certificate_service)
    assert login(world.officer).get(f"/workbench/cases/{draft.pk}/").status_code == 404


def test_the_delegation_page_creates_a_delegation_to_a_colleague(world, colleague, login):
    client = login(world.college_admin)
    page = client.get("/workbench/delegate/")
    assert page.status_code == 200 and f'<option value="{colleague.pk}">王老师</option>' in page.content.decode()
    today = timezone.localdate()
    answer = client.post("/workbench/delegate/", {"to": colleague.pk, "start": today.isoformat(),
                                                  "end": (today + dt.timedelta(days=3)).isoformat()})
    assert (answer.status_code, answer["Location"]) == (302, "/workbench/delegate/")
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate, delegation.start, delegation.end) == (
        world.college_admin, colleague, today, today + dt.timedelta(days=3))
    listed = _rows(client.get("/workbench/delegate/"))
    assert "王老师" in listed and "生效中" in listed and f"/workbench/delegations/{delegation.pk}/revoke/" in listed


def test_the_delegation_page_refuses_a_bad_range_and_someone_outside_the_unit(world, colleague, login):
    client = login(world.college_admin)
    today = timezone.localdate()
    answer = client.post("/workbench/delegate/", {"to": colleague.pk, "start": today.isoformat(),
                                                  "end": (today - dt.timedelta(days=1)).isoformat()})
    assert answer.status_code == 200 and answer.context["form"].errors == {"end": ["结束日期不能早于开始日期"]}
    answer = client.post("/workbench/delegate/", {"to": world.clerk.pk, "start": today.isoformat(),
                                                  "end": today.isoformat()})
    assert answer.context["form"].errors == {"to": ["请选择本单位相同角色的同事"]}
    answer = client.post("/workbench/delegate/", {"to": colleague.pk, "start": "", "end": ""})
    assert answer.context["form"].errors == {"start": ["请填写开始日期"], "end": ["请填写结束日期"]}
    assert "请填写结束日期" in answer.content.decode()
    assert not Delegation.objects.exists()


def test_a_delegate_sees_and_decides_the_work_the_delegator_claimed(world, case, step, colleague, login):
    services.claim(actor=world.college_admin, item=step)
    client = login(colleague)
    assert case.serial not in _rows(client.get("/workbench/todo/"))  # claimed by another
    today = timezone.localdate()
    services.delegate_work(actor=world.college_admin, to=colleague, start=today, end=today)
    assert case.serial in _rows(client.get("/workbench/todo/"))
    page = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "受 college_admin 委托代办" in page and 'name="outcome"' in page
    client.post(f"/workbench/work/{step.pk}/", {"outcome": "approve"})
    assert WorkItem.objects.get(pk=step.pk).decided_by == colleague


def test_work_cannot_be_delegated_to_a_student_of_ones_college(world, colleague, login):
    """Sharing a unit as an applicant does not make a colleague."""
    from tongban.lib.errors import ApplicationError

    today = timezone.localdate()
    with pytest.raises(ApplicationError) as caught:
        services.delegate_work(actor=world.college_admin, to=world.applicant, start=today, end=today)
    assert (caught.value.code, caught.value.field) == ("not_same_role", "to")
    page = login(world.college_admin).get("/workbench/delegate/")
    assert f'<option value="{colleague.pk}">' in page.content.decode()
    assert f'<option value="{world.applicant.pk}">' not in page.content.decode()
    assert not Delegation.objects.exists()


def test_the_unit_tab_of_a_student_assistant_leaves_out_the_work_of_the_college_they_study_in(
        world, case, step, login):
    other = create_user(actor=None, username="classmate", password="x-long-password")
    grant_role(actor=None, user=other, role=Role.AUXILIARY, org_unit=world.security)
    grant_role(actor=None, user=other, role=Role.APPLICANT, org_unit=world.econ)
    page = login(other).get("/workbench/todo/?tab=unit")
    assert page.status_code == 200
    assert case.serial not in _rows(page)


def test_a_forged_colleague_on_the_delegation_page_is_refused_not_a_500(world, login):
    answer = login(world.college_admin).post("/workbench/delegate/", {"to": "abc", "start": "2026-12-01",
                                                                      "end": "2026-12-02"})
    assert answer.status_code == 200 and "请选择本单位相同角色的同事" in answer.content.decode()
