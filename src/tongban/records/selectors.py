"""Reads of the archive, scoped to the caller: a case's captures through the cases the
caller may open (cases.selectors.staff_case: the station, and the branch and city
approvers who work on it); a person's archive through the people the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.accounts.access import refused
from tongban.accounts.models import User
from tongban.cases.selectors import staff_case
from tongban.people.selectors import person_for
from tongban.records.models import Capture, Category


def capture_for(*, user: User, pk: int) -> Capture:
    """One capture the user may read: of a case they may open, or of a person they may
    see (a historical paper). 404 otherwise."""
    found = Capture.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise refused(user, Capture, pk)
    if found.case_id is not None:
        staff_case(user=user, pk=found.case_id)
    elif found.person_id is not None:  # a capture has a case or a person (a constraint says so)
        person_for(user=user, pk=found.person_id)
    return found


def person_archive(*, user: User, pk: int):
    """(the person, their captures newest first) for a person the user may see."""
    person = person_for(user=user, pk=pk)
    captures = Capture.objects.filter(person=person).select_related("case").order_by("-captured_at", "-id")
    return person, captures


def catalog() -> QuerySet[Category]:
    """The catalog as it stands (public data: no scope)."""
    return Category.objects.prefetch_related("sub_items").order_by("order", "code")
