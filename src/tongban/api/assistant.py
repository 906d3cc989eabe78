"""The assistant through the API: the same answers as the chat panel (assistant.services),
open to anyone; a signed-in caller's session adds their situation. Too many questions
a minute from one account or address: 429 `rate_limited`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.utils import check_csrf

from tongban.api.cases import Refusal
from tongban.assistant import services, throttle

router = Router()
TAG = _("Assistant")


class AskIn(Schema):
    question: str = ""
    choice: str = ""


class LineOut(Schema):
    text: str
    source: str
    link: str


class LinkOut(Schema):
    code: str
    name: str
    link: str


class ChoiceOut(Schema):
    label: str
    choice: str


class AnswerOut(Schema):
    id: int | None
    outcome: str
    message: str
    service: LinkOut | None
    part: str
    part_label: str
    lines: list[LineOut]
    personal: list[str]
    suggestions: list[LinkOut]
    choices: list[ChoiceOut]
    guide_link: str
    apply_link: str
    contact: str


class FeedbackIn(Schema):
    helpful: bool


class FeedbackOut(Schema):
    id: int
    helpful: bool


def _csrf_if_signed_in(request) -> None:
    """Anyone may ask, but a signed-in session's question and feedback are that person's:
    a page of another site must not post them (the CSRF check session writes have)."""
    if request.user.is_authenticated and check_csrf(request) is not None:
        raise HttpError(403, "CSRF check Failed")


def _link(s) -> dict | None:
    return {"code": s.code, "name": s.name, "link": s.link} if s else None


@router.post("/assistant/questions", response={200: AnswerOut, 422: Refusal, 429: Refusal}, auth=None, tags=[TAG],
             summary=_("Ask the assistant a question in your own words"))
def ask(request, payload: AskIn):
    _csrf_if_signed_in(request)
    throttle.check(user=request.user, ip=throttle.client_ip(request))
    reply = services.ask(actor=request.user, text=payload.question[:20000], choice=payload.choice)
    return {"id": reply.question_id, "outcome": reply.outcome, "message": reply.message,
            "service": _link(reply.service), "part": reply.part, "part_label": reply.part_label,
            "lines": [{"text": x.text, "source": x.source, "link": x.link} for x in reply.lines],
            "personal": reply.personal, "suggestions": [_link(s) for s in reply.suggestions],
            "choices": [{"label": label, "choice": value} for label, value in reply.choices],
            "guide_link": reply.guide_link, "apply_link": reply.apply_link, "contact": reply.contact}


@router.post("/assistant/questions/{pk}/feedback", response={200: FeedbackOut, 404: Refusal, 422: Refusal},
             auth=None, tags=[TAG], summary=_("Say whether an answer helped"))
def feedback(request, pk: int, payload: FeedbackIn):
    _csrf_if_signed_in(request)
    question = services.give_feedback(actor=request.user, question_id=pk, helpful=payload.helpful)
    return {"id": question.pk, "helpful": bool(question.helpful)}
