"""The assistant's acts: answering a question (and keeping it, for the staff's list of
questions without a good answer), taking 有用/没用 on an answer, editing the FAQ entries
(service admins, within their units, on the trail), rebuilding the index.

Questions and feedback are kept as a log, like a search log, and not put on the audit
trail: they change no one's rights or records, and a trail entry per question would
drown the acts auditors read it for."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.assistant import answers, index
from tongban.assistant.models import FAQ, Outcome, Question
from tongban.audit.services import record
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import ApplicationError


def ask(*, actor: User | None, text: str, choice: str = "") -> answers.Reply:
    """Answer `text` for `actor` (None or anonymous: no personal situation) and keep the
    question. Never raises for what a person types: empty, very long, emoji, markup or
    SQL get a short answer; the text is only ever shown escaped."""
    cleaned = answers.clean(text)
    reply = answers.answer(index.current(), cleaned, choice=choice[:40])
    signed_in = actor is not None and actor.is_authenticated
    if actor is not None and signed_in and reply.outcome == Outcome.ANSWERED:
        reply.personal = situation(user=actor, reply=reply)
    service = ServiceItem.objects.filter(code=reply.service.code).first() if reply.service else None
    question = Question.objects.create(text=cleaned or "—", asked_by=actor if signed_in else None,
                                       outcome=reply.outcome, service=service, part=reply.part,
                                       confidence=round(reply.confidence, 3))
    reply.question_id = question.pk
    return reply


def situation(*, user: User, reply: answers.Reply) -> list[str]:
    """What the asker's own records add to the answer, read through the scoped selectors
    of the apps that own them: a card out and its due date, the storage months left, a
    restriction standing, why, and who lifts it."""
    from tongban.hukou import selectors as hukou
    from tongban.loans import selectors as loans
    from tongban.restrictions import selectors as restrictions

    lines: list[str] = []
    effect = ""
    if reply.service is not None:
        built = index.current()
        service = built.services.get(reply.service.code) if built else None
        effect = service.effect if service else ""
    today = timezone.localdate()
    if effect == "hukou.card_loan" or reply.part == "loan_rule":
        for loan in loans.own_loans(user=user).filter(returned_at__isnull=True)[:3]:
            if loan.due_date < today:
                lines.append(_("Your %(item)s was due back on %(due)s and is overdue.")
                             % {"item": loan.item, "due": loan.due_date.isoformat()})
            else:
                lines.append(_("You have the %(item)s out; it is due back on %(due)s.")
                             % {"item": loan.item, "due": loan.due_date.isoformat()})
    if effect == "hukou.store" or reply.part == "storage_period":
        rec = hukou.own_record(user)
        if rec is not None and rec.storage_expiry:
            months = _months_between(today, rec.storage_expiry)
            lines.append(_("Your household registration is stored until %(expiry)s: %(months)s months left.")
                         % {"expiry": rec.storage_expiry.isoformat(), "months": months})
    for restriction in restrictions.own_current(user=user)[:3]:
        lifted = (_("it ends on %(until)s") % {"until": restriction.until.isoformat()} if restriction.until
                  else _("the office that set it (%(source)s) lifts it") % {
                      "source": restriction.source or restriction.get_kind_display()})
        lines.append(_("You are restricted from %(blocks)s: %(reason)s; %(lifted)s.")
                     % {"blocks": restriction.get_blocks_display(), "reason": restriction.reason, "lifted": lifted})
    return lines


def _months_between(start: dt.date, end: dt.date) -> int:
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


class NoSuchAnswer(ApplicationError):
    status = 404


def give_feedback(*, actor: User | None, question_id: int, helpful: bool) -> Question:
    """Mark an answer 有用 or 没用. Only the one who asked may (an anonymous question:
    anyone holding its number, as the page that showed it does); the last word counts."""
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        asker = actor.pk if actor is not None and actor.is_authenticated else None
        if question is None or (question.asked_by_id and question.asked_by_id != asker):
            raise NoSuchAnswer("not_found", _("No such answer."))
        question.helpful = helpful
        question.save(update_fields=["helpful"])
    return question


def save_faq(*, actor: User, faq: FAQ, changed: list[str] | None = None) -> FAQ:
    """Create or change an FAQ entry of a service within the actor's units; on the trail,
    and the index is rebuilt at the next question."""
    authorize(actor, Action.CATALOG_MANAGE, unit=faq.service.org_unit)
    faq.question = faq.question.strip()
    faq.answer = faq.answer.strip()
    faq.full_clean()
    with transaction.atomic():
        new = faq.pk is None
        faq.save()
        record(actor=actor, action="assistant.faq_created" if new else "assistant.faq_changed", obj=faq,
               summary=_("FAQ of %(service)s: %(question)s") % {"service": faq.service.name, "question": faq.question},
               details={"changed": changed or [], "active": faq.is_active}, org_unit=faq.service.org_unit)
    transaction.on_commit(index.mark_stale)
    return faq


def delete_faq(*, actor: User, faq: FAQ) -> None:
    authorize(actor, Action.CATALOG_MANAGE, unit=faq.service.org_unit)
    with transaction.atomic():
        record(actor=actor, action="assistant.faq_deleted", obj=faq,
               summary=_("FAQ of %(service)s removed: %(question)s") % {"service": faq.service.name,
                                                                        "question": faq.question},
               org_unit=faq.service.org_unit)
        faq.delete()
    transaction.on_commit(index.mark_stale)


def rebuild_index() -> bool:
    """Rebuild now (a command, a job): True if the new index is in use."""
    index.mark_stale()
    before = index._current
    built = index.current()
    return built is not None and built is not before
