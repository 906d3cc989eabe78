"""The office's lists of loans, within the viewer's reach over the lending unit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.access import one_within, scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.loans.models import Loan, Policy

TABS = {"out": _("Out"), "due_tomorrow": _("Due tomorrow"), "overdue": pgettext_lazy("loan", "Overdue"),
        "history": _("All records")}


def loans(*, user: User, tab: str = "out", query: str = "") -> QuerySet[Loan]:
    qs = scope(Loan.objects.select_related("person", "person__org_unit", "policy", "lent_by", "received_by"),
               user, Action.LOAN_MANAGE, unit_field="policy__org_unit")
    today = timezone.localdate()
    if tab == "out":
        qs = qs.filter(returned_at__isnull=True).order_by("due_date", "id")
    elif tab == "due_tomorrow":
        qs = qs.filter(returned_at__isnull=True, due_date=today + dt.timedelta(days=1)).order_by("id")
    elif tab == "overdue":
        qs = qs.filter(returned_at__isnull=True, due_date__lt=today).order_by("due_date", "id")
    if query:
        qs = qs.filter(Q(person__name__icontains=query) | Q(person__student_number=query))
    return qs


def days_overdue(loan: Loan, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return max(0, (today - loan.due_date).days) if loan.returned_at is None else 0


def loan_for(*, user: User, pk: int) -> Loan:
    return one_within(loans(user=user, tab="history"), user=user, pk=pk)


def policies(*, user: User) -> QuerySet[Policy]:
    return scope(Policy.objects.filter(active=True).select_related("org_unit"), user, Action.LOAN_MANAGE)


def own_loans(*, user: User) -> QuerySet[Loan]:
    if not user.is_authenticated:
        return Loan.objects.none()
    return Loan.objects.filter(person__account=user).select_related("policy").order_by("-lent_at")


def card_out(person_id: int) -> tuple[str, dt.date] | None:
    """The item a person has out now and its due date, or None (no caller's scope: it answers
    hukou's rule on the person's own record, not a list anyone reads)."""
    row = (Loan.objects.filter(person_id=person_id, returned_at__isnull=True).order_by()
           .values_list("item", "due_date").first())
    return (row[0], row[1]) if row else None
