"""消息通: another system puts to-dos on a person's list (by its own ID, so a repeated push
updates one row), they show beside tongban's own on the person's pages, and a portal
reads a person's open to-dos from every source and their unread messages."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.interop import services
from tongban.interop.models import ApiClient, ExternalTodo
from tongban.interop.tests.test_clients import _bearer, _register
from tongban.notify import todos
from tongban.notify.models import Message

BASE = "/api/v1/system"


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


@pytest.fixture
def system(world, client):
    api_client, secret = _register(world, scopes=("todos:write", "feed:read"), units=[world.econ])
    return api_client, _bearer(client, api_client, secret)


def _call(client, method, path, token, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_X_PURPOSE": "统一待办"}
    if body is None:
        return getattr(client, method)(path, **headers)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", **headers)


def _todo(student_number, title="填写学生健康信息", url="https://edu.example.edu.cn/forms/1", due=None):
    return {"student_number": student_number, "title": title, "url": url,
            **({"due": due.isoformat()} if due else {})}


def test_a_pushed_to_do_is_on_the_persons_list_and_a_repeat_changes_nothing(world, client, system):
    _api_client, token = system
    student = world.applicant_person
    first = _call(client, "put", f"{BASE}/todos/F-1", token, _todo(student.student_number))
    assert (first.status_code, first.json()) == (201, {"external_id": "F-1", "created": True})
    again = _call(client, "put", f"{BASE}/todos/F-1", token, _todo(student.student_number))
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert ExternalTodo.objects.count() == 1
    assert AuditEntry.objects.filter(action="interop.todo_pushed").count() == 1  # the repeat changed nothing

    listed = todos.for_user(world.applicant)
    assert [(t.title, t.url, t.detail) for t in listed if t.source.startswith("interop")] == [
        ("填写学生健康信息", "https://edu.example.edu.cn/forms/1", "教务平台")]
    page = login_page(client, world.applicant, "/mine/")
    assert "填写学生健康信息" in page and 'href="https://edu.example.edu.cn/forms/1" rel="noopener noreferrer"' in page


def login_page(client, user, path) -> str:
    client.force_login(user)
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.content.decode()


def test_done_takes_it_off_the_list_and_a_new_push_reopens_it(world, client, system):
    _api_client, token = system
    number = world.applicant_person.student_number
    _call(client, "put", f"{BASE}/todos/F-2", token, _todo(number))
    assert _call(client, "post", f"{BASE}/todos/F-2/done", token).status_code == 200
    assert not [t for t in todos.for_user(world.applicant) if t.source.startswith("interop")]
    _call(client, "put", f"{BASE}/todos/F-2", token, _todo(number, title="再次填写"))
    assert [t.title for t in todos.for_user(world.applicant) if t.source.startswith("interop")] == ["再次填写"]


def test_a_person_outside_the_clients_units_gets_404_and_nothing_is_written(world, client, system):
    _api_client, token = system
    outsider = world.person(name="法学院学生", unit=world.law)
    answer = _call(client, "put", f"{BASE}/todos/F-3", token, _todo(outsider.student_number))
    assert answer.status_code == 404
    assert not ExternalTodo.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "   "}, "title"), ({"url": "http://edu.example.edu.cn/x"}, "url"),
    ({"url": "javascript:alert(1)"}, "url")])
def test_a_bad_to_do_is_refused_naming_the_field(world, client, system, body, field):
    _api_client, token = system
    answer = _call(client, "put", f"{BASE}/todos/F-4", token, {**_todo(world.applicant_person.student_number), **body})
    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert not ExternalTodo.objects.exists()


def test_the_same_id_cannot_move_to_another_person(world, client, system):
    _api_client, token = system
    other = world.person(name="王同学", unit=world.econ)
    _call(client, "put", f"{BASE}/todos/F-5", token, _todo(world.applicant_person.student_number))
    answer = _call(client, "put", f"{BASE}/todos/F-5", token, _todo(other.student_number))
    assert answer.status_code == 409 and answer.json()["field"] == "external_id"


def test_pushing_needs_its_scope(world, client):
    api_client, secret = _register(world, name="只读系统", scopes=("people:read",))
    token = _bearer(client, api_client, secret)
    answer = _call(client, "put", f"{BASE}/todos/F-6", token, _todo(world.applicant_person.student_number))
    assert answer.status_code == 403
    assert not ExternalTodo.objects.exists()


def test_a_revoked_systems_to_dos_leave_the_list(world, client, system):
    api_client, token = system
    _call(client, "put", f"{BASE}/todos/F-7", token, _todo(world.applicant_person.student_number))
    services.revoke_client(actor=world.sysadmin, client=api_client, reason="停用")
    assert not [t for t in todos.for_user(world.applicant) if t.source.startswith("interop")]


def test_the_feed_has_every_sources_to_dos_with_absolute_links_and_the_unread_messages(world, client, system):
    _api_client, token = system
    number = world.applicant_person.student_number
    due = timezone.localdate() + dt.timedelta(days=2)
    _call(client, "put", f"{BASE}/todos/F-8", token, _todo(number, due=due))
    todos.register("test-source", lambda user, limit: [
        todos.Todo(source="test-source", key="x", title="预约取证", url="/booking/",
                   due=timezone.localdate() - dt.timedelta(days=1))] if user == world.applicant else [])
    Message.objects.create(key="m-1", recipient=world.applicant, channel="inbox", event="test", kind="case",
                           subject="您的申请已办结", link="/cases/1/")
    try:
        feed = _call(client, "get", f"{BASE}/feed/{number}", token).json()
    finally:
        todos._sources.pop("test-source")
    assert [(t["title"], t["overdue"]) for t in feed["todos"]] == [("预约取证", True), ("填写学生健康信息", False)]
    assert feed["todos"][0]["url"] == "http://testserver/booking/"
    assert feed["unread"] == 1 and feed["messages"][0]["subject"] == "您的申请已办结"
    assert feed["messages"][0]["url"] == "http://testserver/cases/1/"


def test_a_person_without_an_account_has_the_pushed_to_dos_in_the_feed(world, client, system):
    _api_client, token = system
    freshman = world.person(name="新生", unit=world.econ)
    _call(client, "put", f"{BASE}/todos/F-9", token, _todo(freshman.student_number, title="报到前填写信息"))
    feed = _call(client, "get", f"{BASE}/feed/{freshman.student_number}", token).json()
    assert [t["title"] for t in feed["todos"]] == ["报到前填写信息"] and feed["unread"] == 0


def test_a_failing_source_does_not_hide_the_others(world):
    def broken(user, limit):
        raise RuntimeError("down")

    todos.register("broken", broken)
    todos.register("fine", lambda user, limit: [todos.Todo(source="fine", key="1", title="可见", url="/")])
    try:
        assert [t.title for t in todos.for_user(world.applicant, only={"broken", "fine"})] == ["可见"]
    finally:
        todos._sources.pop("broken"), todos._sources.pop("fine")


def test_staff_see_other_sources_beside_their_case_work(world, client):
    todos.register("fine", lambda user, limit: [todos.Todo(source="fine", key="1", title="督办：更新进度", url="/x/")])
    try:
        page = login_page(client, world.officer, "/workbench/todo/")
    finally:
        todos._sources.pop("fine")
    assert "来自其他事项和系统" in page and "督办：更新进度" in page


@pytest.mark.django_db(transaction=True)
def test_two_pushes_of_the_same_id_at_once_make_one_row(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and a unique index race only on PostgreSQL")
    api_client, _secret = _register(world, scopes=("todos:write",))
    person = world.applicant_person
    barrier = threading.Barrier(2)
    created = []

    def push(title):
        barrier.wait()
        try:
            created.append(services.push_todo(client=ApiClient.objects.get(pk=api_client.pk), person=person,
                                              external_id="race", title=title,
                                              url="https://edu.example.edu.cn/r")[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=push, args=(t,)) for t in ("甲", "乙")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert ExternalTodo.objects.filter(external_id="race").count() == 1
    assert sorted(created) == [False, True]
