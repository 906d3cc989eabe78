"""Who a service is for (its audience, 服务对象) and whether someone is among them.

Everyone is a visitor (访客), signed in or not. A signed-in account bound to a person
record is also what the record's category says: 本科生 and 研究生 are students, 教职工
staff, 居民 residents. The rest comes from the apps that own the facts, through
sources they register here (as they register case effects), so the engine never
imports a business app: `hukou` says who is a graduate (毕业生) and who an alumnus.
Nobody says who is a parent yet: there is no verified parent–child relation to read,
so no one is a parent and a parents-only service is open to no one until a source is
registered.

A service with no audience is for everyone. An audience value no one can have (a typo
in the back office) matches no one: a service is never opened wider than configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext, pgettext

from tongban.catalog.models import Audience
from tongban.lib.errors import NotAllowed
from tongban.people.selectors import own_person

# person category → audience (people's categories, kept as plain strings: the
# engine reads the foundation's record, not the other way round)
_BY_CATEGORY = {"undergraduate": Audience.STUDENT, "graduate": Audience.STUDENT, "staff": Audience.STAFF,
                "resident": Audience.RESIDENT}

# graduates and alumni are students whom hukou's record says more of: their records are students'
_RECORDED_AS: dict[str, str] = {Audience.GRADUATE: Audience.STUDENT, Audience.ALUMNUS: Audience.STUDENT}


def categories_for(audience: str) -> set[str] | None:
    """The person categories whose records can be in an audience (None: anyone, a visitor's
    service; an empty set: nobody's record says so yet, as for parents)."""
    if audience == Audience.VISITOR:
        return None
    wanted = _RECORDED_AS.get(audience, audience)
    return {category for category, value in _BY_CATEGORY.items() if value == wanted}


# `source(user) -> iterable of audience values` for a signed-in user
_sources: dict[str, Callable[[object], Iterable[str]]] = {}


def register_source(name: str, source: Callable[[object], Iterable[str]]) -> None:
    """An app that knows more about people (hukou: graduation) says which audiences a
    signed-in user is in besides their category. Registered again under the same
    name, it replaces the earlier one."""
    _sources[name] = source


def audiences_of(user) -> frozenset[str]:
    """Every audience the user is in: always `visitor`; for a signed-in user, their
    person record's category and what each registered source says."""
    found = {Audience.VISITOR.value}
    if user is None or not user.is_authenticated:
        return frozenset(found)
    person = own_person(user=user)
    if person is not None and person.category in _BY_CATEGORY:
        found.add(_BY_CATEGORY[person.category].value)
    for source in _sources.values():
        found.update(str(value) for value in source(user))
    return frozenset(found)


def is_for(item, audiences: Iterable[str]) -> bool:
    """Whether a service is open to someone in `audiences` (no audience: to everyone)."""
    wanted = set(item.audience or [])
    return not wanted or bool(wanted & set(audiences))


def label(values: Iterable[str]) -> str:
    """The audiences in Chinese, in the catalog's order: 学生、毕业生."""
    values = set(values)
    names = [str(choice.label) for choice in Audience if choice.value in values]
    names += sorted(value for value in values if value not in Audience.values)  # shown as configured
    return pgettext("list separator", ", ").join(names)


def for_whom(item) -> str:
    """The guide's 服务对象 line."""
    return label(item.audience or []) or gettext("Everyone")


def refusal(user, item, audiences: Iterable[str] | None = None) -> NotAllowed | None:
    """Why the user may not apply for the service because of who they are, or None.
    Not raised: the guide shows it, the guards raise it."""
    if is_for(item, {Audience.VISITOR.value}):  # open to anyone: nothing to look up
        return None
    audiences = audiences_of(user) if audiences is None else frozenset(audiences)
    if is_for(item, audiences):
        return None
    whom = for_whom(item)
    if user is None or not user.is_authenticated:
        return NotAllowed("not_in_audience", gettext(
            "This service is only for %(whom)s: sign in to see whether you may apply.") % {"whom": whom})
    mine = label(audiences - {Audience.VISITOR.value})
    if mine:
        message = gettext("This service is only for %(whom)s; you are %(mine)s, and cannot apply.")
    else:
        message = gettext("This service is only for %(whom)s; your account is bound to no such identity "
                          "(student, staff and so on), and cannot apply.")
    return NotAllowed("not_in_audience", message % {"whom": whom, "mine": mine})
