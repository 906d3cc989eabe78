from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.accounts.access import one_within, scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.restrictions.models import Restriction


def restrictions(*, user: User, current_only: bool = True, query: str = "") -> QuerySet[Restriction]:
    qs = scope(Restriction.objects.select_related("person", "person__org_unit", "created_by", "lifted_by"),
               user, Action.RESTRICTION_MANAGE, unit_field="person__org_unit")
    if current_only:
        qs = qs.current()
    if query:
        qs = qs.filter(Q(person__name__icontains=query) | Q(person__student_number=query))
    return qs


def restriction_for(*, user: User, pk: int) -> Restriction:
    return one_within(restrictions(user=user, current_only=False), user=user, pk=pk)


def own_current(*, user: User) -> QuerySet[Restriction]:
    if not user.is_authenticated:
        return Restriction.objects.none()
    return Restriction.objects.filter(person__account=user).current()
