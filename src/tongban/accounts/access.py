"""Who may do what, where: the one place that turns memberships into decisions.

`authorize` guards writes in services; `scope` filters every list, search, export and
API answer by the caller's reach. Both read the matrix in `roles.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Reach, reach_of
from tongban.audit.refusals import record_refusal
from tongban.lib.errors import NotAllowed


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships, loaded once per user object."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_tongban_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("org_unit"))
        user._tongban_memberships = cached
    return cached


def roles_of(user: User) -> set[str]:
    return {m.role for m in memberships_of(user)}


@dataclass
class Scope:
    """What an action reaches for one user: the union over their memberships."""

    everything: bool = False
    own: bool = False
    unit_ids: set[int] = field(default_factory=set)
    subtree_paths: set[str] = field(default_factory=set)

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.own or self.unit_ids or self.subtree_paths)

    def covers_unit(self, unit: OrgUnit | None) -> bool:
        if self.everything:
            return True
        if unit is None:
            return False
        return unit.id in self.unit_ids or any(unit.path.startswith(p) for p in self.subtree_paths)


def scope_of(user: User, action: str) -> Scope:
    scope = Scope()
    for m in memberships_of(user):
        reach = reach_of(m.role, action)
        if reach is None:
            continue
        if reach == Reach.ALL:
            scope.everything = True
        elif reach == Reach.SUBTREE:
            scope.subtree_paths.add(m.org_unit.path)
        elif reach == Reach.UNIT:
            scope.unit_ids.add(m.org_unit_id)
        else:
            scope.own = True
    return scope


def scope(
    queryset: QuerySet,
    user: User,
    action: str,
    *,
    unit_field: str | None = "org_unit",
    owner_field: str | None = None,
) -> QuerySet:
    """Filter `queryset` to the rows `user` may reach for `action`.

    `unit_field` is the lookup path to the row's org unit ("" for org units themselves,
    None for rows that have none), `owner_field` the path to the
    account that owns the row (for the OWN reach). A reach the model cannot express
    (no owner field, say) grants nothing: the filter fails closed.
    """
    s = scope_of(user, action)
    if s.everything:
        return queryset
    q = Q(pk__in=[])
    if s.own and owner_field:
        q |= Q(**{owner_field: user})
    if unit_field is not None:
        # unit_field="" means the rows are org units themselves.
        prefix = f"{unit_field}__" if unit_field else ""
        if s.unit_ids:
            q |= Q(**{f"{prefix}id__in": s.unit_ids})
        for path in s.subtree_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
    return queryset.filter(q)


def can(user: User, action: str, *, unit: OrgUnit | None = None, owner: User | None = None) -> bool:
    try:
        authorize(user, action, unit=unit, owner=owner)
    except NotAllowed:
        return False
    return True


def authorize(
    user: User, action: str, *, unit: OrgUnit | None = None, owner: User | None = None
) -> Membership:
    """Return the membership that allows `user` to do `action` on something in `unit`
    (or owned by `owner`); raise NotAllowed otherwise. With neither unit nor
    owner, any membership granting the action at all will do (e.g. to open a page)."""
    best: Membership | None = None
    for m in memberships_of(user):
        reach = reach_of(m.role, action)
        if reach is None:
            continue
        if (unit is None and owner is None) or reach == Reach.ALL:
            ok = True
        elif reach == Reach.OWN:
            ok = owner is not None and owner.pk == user.pk
        elif unit is None:
            ok = False
        elif reach == Reach.SUBTREE:
            ok = unit.path.startswith(m.org_unit.path)
        else:
            ok = unit.pk == m.org_unit_id
        if ok and (best is None or reach > reach_of(best.role, action)):
            best = m
    if best is None:
        raise NotAllowed("permission_denied",
            _("You do not have permission to do this."), extra={"action": action})
    return best


def refused(user: User, model: type[Model], pk, *, reason: str = "") -> Http404:
    """The 404 for a `model` row `user` may not reach (raise what it returns). A row
    that exists, someone else's, is a refused access and goes on the trail, at most
    once per user and kind of record every few minutes (audit.refusals); an id that
    names nothing is just not found."""
    try:
        exists = model._default_manager.filter(pk=pk).exists()
    except (TypeError, ValueError):  # not even an id
        exists = False
    if exists:
        record_refusal(actor=user, object_type=model._meta.label_lower, object_id=str(pk),
                       label=str(model._meta.verbose_name), reason=reason)
    return Http404(_("%(thing)s does not exist") % {"thing": model._meta.verbose_name})


M = TypeVar("M", bound=Model)


def one_within(queryset: QuerySet[M], *, user: User, pk) -> M:
    """The row `pk` of `queryset` (already narrowed to what `user` may reach), or the
    refused 404 of `refused`: the one ownership guard every `*_for` selector uses."""
    try:
        found = queryset.filter(pk=pk).first()
    except (TypeError, ValueError):  # not even an id
        found = None
    if found is None:
        raise refused(user, queryset.model, pk)
    return found
