"""Reading the assistant's log for the staff: the questions with no good answer (not
sure, or marked 没用), grouped by what was asked, within the services the reader manages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from tongban.accounts.access import authorize, scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.assistant.models import FAQ, Outcome, Question


@dataclass(frozen=True)
class Group:
    text: str
    outcome: str
    service: str
    times: int
    unhelpful: int
    last: dt.datetime


def to_improve(*, user: User, days: int = 30, limit: int = 200) -> list[Group]:
    """Questions of the last `days` answered "not sure" (any reader who manages services) or
    marked 没用 (on the services within the reader's units), the most asked first."""
    since = timezone.now() - dt.timedelta(days=days)
    qs = Question.objects.filter(asked_at__gte=since).filter(Q(outcome=Outcome.NOT_SURE) | Q(helpful=False))
    authorize(user, Action.CATALOG_MANAGE)
    mine = scope(Question.objects.filter(service__isnull=False), user, Action.CATALOG_MANAGE,
                 unit_field="service__org_unit")
    qs = qs.filter(Q(service__isnull=True) | Q(pk__in=mine.values("pk")))
    rows = (qs.values("text", "outcome", "service__name")
            .annotate(times=Count("pk"), unhelpful=Count("pk", filter=Q(helpful=False)), last=Max("asked_at"))
            .order_by("-times", "-last")[:limit])
    return [Group(r["text"], r["outcome"], r["service__name"] or "", r["times"], r["unhelpful"], r["last"])
            for r in rows]


def faqs(*, user: User) -> QuerySet[FAQ]:
    authorize(user, Action.CATALOG_MANAGE)
    return scope(FAQ.objects.select_related("service"), user, Action.CATALOG_MANAGE, unit_field="service__org_unit")
