from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.accounts.access import refused, scope
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
    found = restrictions(user=user, current_only=False).filter(pk=pk).first()
    if found is None:
        raise refused(user, Restriction, pk)
    return found


def own_current(*, user: User) -> QuerySet[Restriction]:
    if not user.is_authenticated:
        return Restriction.objects.none()
    return Restriction.objects.filter(person__account=user).current()
