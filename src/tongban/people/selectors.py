from __future__ import annotations

from django.db.models import QuerySet

from tongban.accounts.access import one_within, scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.lib import crypto
from tongban.people import idnumber
from tongban.people.models import Person, Relation


def is_whole_id_number(query: str) -> bool:
    normalised = idnumber.normalise(query or "")
    return len(normalised) == 18 and normalised[:17].isdigit()


def people(
    *, user: User, query: str = "", org_unit_id: int | None = None, category: str = "",
    action: str = Action.PEOPLE_VIEW,
) -> QuerySet[Person]:
    """People the user may see. `query` matches a name (contains), a student number
    (exact) or a whole ID number (exact, through the blind index: never a partial
    match, so the search cannot be used to enumerate numbers)."""
    qs = scope(Person.objects.select_related("org_unit"), user, action, owner_field="account")
    query = (query or "").strip()
    if query:
        normalised = idnumber.normalise(query)
        if is_whole_id_number(query):
            qs = qs.filter(id_number_index=crypto.blind_index(normalised, purpose="id"))
        elif query.isdigit() or (normalised.isalnum() and not query.isalpha()):
            qs = qs.filter(student_number=query)
        else:
            qs = qs.filter(name__contains=query)
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    if category:
        qs = qs.filter(category=category)
    # the list's order: units as their tree goes, then student number (named here, not
    # in Person's Meta, where it joined the unit into every other read of a person)
    return qs.order_by("org_unit__path", "student_number", "id")


def person_for(*, user: User, pk: int, action: str = Action.PEOPLE_VIEW) -> Person:
    """One person the user may see, or 404 (not 403: do not confirm who exists)."""
    return one_within(people(user=user, action=action), user=user, pk=pk)


def own_person(*, user: User) -> Person | None:
    """The person record bound to the user's account, if any."""
    return Person.objects.filter(account=user).select_related("org_unit").first()


def import_jobs(*, user: User):
    """The imports a user started (an import's report names rows of their own file)."""
    from tongban.people.models import ImportJob

    return ImportJob.objects.filter(created_by=user)


def verified_relations(*, user: User) -> QuerySet[Relation]:
    """The relatives the user's own person record has verified relations to: whom
    their account may apply for."""
    if not user.is_authenticated:
        return Relation.objects.none()
    return (Relation.objects.filter(person__account=user, verified_at__isnull=False)
            .select_related("relative__org_unit").order_by("id"))


def verified_relation_to(*, user: User, relative: Person) -> Relation | None:
    """The user's verified relation to `relative`, if there is one."""
    return verified_relations(user=user).filter(relative=relative).first()
