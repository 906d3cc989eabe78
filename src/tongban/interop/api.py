"""Endpoints for registered systems (/api/v1/system/): a bearer token of the client
credentials grant, a scope per endpoint, an `X-Purpose` header, every call on the trail."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Router, Schema

from tongban.interop import selectors
from tongban.interop.auth import ClientToken
from tongban.interop.scopes import Scope
from tongban.interop.services import finish_todo, push_todo, record_call

router = Router(tags=["system"])


class PersonBasic(Schema):
    name: str
    student_number: str
    unit_code: str
    unit_name: str
    category: str
    enrolment_year: int | None
    id_number: str
    id_number_masked: bool


class PersonPage(Schema):
    items: list[PersonBasic]
    next_after: int | None


def _basic(person, *, full_id: bool) -> dict:
    return {"name": person.name, "student_number": person.student_number, "unit_code": person.org_unit.code,
            "unit_name": person.org_unit.name, "category": person.category,
            "enrolment_year": person.enrolment_year,
            "id_number": person.plain_id_number() if full_id else person.id_number_masked,
            "id_number_masked": not full_id}


def _answer(request, status: int = 200) -> None:
    record_call(client=request.api_client, method=request.method, path=request.get_full_path()[:200],
                purpose=request.api_purpose, status=status)


@router.get("/people", response=PersonPage, auth=ClientToken(Scope.PEOPLE_READ),
            summary="People of the client's units, 100 at a time")
def people(request, student_number: str = "", after: int = 0, limit: int = 100):
    limit = max(1, min(limit, 500))
    rows = selectors.people_for(request.api_client).filter(pk__gt=after).order_by("pk")
    if student_number:
        rows = rows.filter(student_number=student_number)
    found = list(rows[: limit + 1])
    full_id = Scope.PEOPLE_READ_ID in request.api_scopes
    _answer(request)
    return {"items": [_basic(p, full_id=full_id) for p in found[:limit]],
            "next_after": found[limit - 1].pk if len(found) > limit else None}


@router.get("/people/{student_number}", response=PersonBasic, auth=ClientToken(Scope.PEOPLE_READ),
            summary="One person of the client's units, by student or staff number")
def person(request, student_number: str):
    found = selectors.people_for(request.api_client).filter(student_number=student_number).first()
    if found is None:
        _answer(request, 404)
        raise Http404
    _answer(request)
    return _basic(found, full_id=Scope.PEOPLE_READ_ID in request.api_scopes)


# --- 消息通: to-dos in, a person's feed out ------------------------------------------------
class TodoIn(Schema):
    student_number: str
    title: str
    url: str
    due: dt.date | None = None


class TodoOut(Schema):
    external_id: str
    created: bool


class FeedTodo(Schema):
    source: str
    title: str
    url: str  # absolute: tongban's own links carry its address
    due: dt.date | None
    overdue: bool


class FeedMessage(Schema):
    subject: str
    sent_at: dt.datetime
    url: str


class Feed(Schema):
    todos: list[FeedTodo]
    unread: int
    messages: list[FeedMessage]


def _person_or_404(request, student_number: str):
    found = selectors.people_for(request.api_client).filter(student_number=student_number).first()
    if found is None:
        _answer(request, 404)
        raise Http404
    return found


@router.put("/todos/{external_id}", response={200: TodoOut, 201: TodoOut}, auth=ClientToken(Scope.TODOS_WRITE),
            summary="Put a to-do on a person's list (the same external_id again updates it)")
def put_todo(request, external_id: str, body: TodoIn):
    person = _person_or_404(request, body.student_number)
    _todo, created = push_todo(client=request.api_client, person=person, external_id=external_id[:100],
                               title=body.title, url=body.url, due=body.due)
    _answer(request, 201 if created else 200)
    return (201 if created else 200), {"external_id": external_id[:100], "created": created}


@router.post("/todos/{external_id}/done", response=TodoOut, auth=ClientToken(Scope.TODOS_WRITE),
             summary="Take a to-do off the person's list: done or withdrawn")
def todo_done(request, external_id: str):
    finish_todo(client=request.api_client, external_id=external_id)
    _answer(request)
    return {"external_id": external_id, "created": False}


@router.get("/feed/{student_number}", response=Feed, auth=ClientToken(Scope.FEED_READ),
            summary="A person's open to-dos (every source) and unread messages, for a portal or app")
def feed(request, student_number: str, limit: int = 20):
    person = _person_or_404(request, student_number)
    limit = max(1, min(limit, 100))
    _answer(request)
    return selectors.feed(person=person, limit=limit, base=request.build_absolute_uri("/"))
