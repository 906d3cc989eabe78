"""What a registered system may read: only the people of the units it was given."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.accounts.access import one_within
from tongban.accounts.models import User
from tongban.interop.models import ApiClient, Delivery, Subscription
from tongban.people.models import Person


def clients(*, user: User) -> QuerySet[ApiClient]:
    from tongban.accounts.access import authorize
    from tongban.accounts.roles import Action

    authorize(user, Action.INTEROP_MANAGE)
    return ApiClient.objects.select_related("application", "created_by").prefetch_related("units")


def client_for(*, user: User, pk) -> ApiClient:
    return one_within(clients(user=user), user=user, pk=pk)


def people_for(client: ApiClient) -> QuerySet[Person]:
    units = list(client.units.all())
    if not units:
        return Person.objects.none()
    within = Q()
    for unit in units:
        within |= Q(org_unit__path__startswith=unit.path)
    return Person.objects.filter(within).select_related("org_unit")


def subscription_for(*, client: ApiClient, user: User, pk) -> Subscription:
    return one_within(client.subscriptions.all(), user=user, pk=pk)


def deliveries(*, client: ApiClient) -> QuerySet[Delivery]:
    """The delivery log of a client: newest first, with status, attempts and latency."""
    return (Delivery.objects.filter(subscription__client=client).select_related("event", "subscription")
            .order_by("-pk"))


def dead_letters(*, user: User) -> QuerySet[Delivery]:
    clients(user=user)  # the same right as the clients' pages
    return (Delivery.objects.filter(status=Delivery.Status.DEAD)
            .select_related("event", "subscription__client").order_by("-pk"))


def feed(*, person: Person, limit: int, base: str) -> dict:
    """A person's open to-dos from every source and their unread inbox, links made
    absolute against `base` (tongban's address) so another portal can open them. A person
    with no account yet has only what other systems pushed for them."""
    from urllib.parse import urljoin

    from tongban.interop.todos import for_person
    from tongban.notify import todos
    from tongban.notify.selectors import inbox

    user = person.account
    if user is not None:
        items = todos.for_user(user, limit=limit)
        unread = inbox(user=user, unread_only=True).order_by("-created_at")
        count, latest = unread.count(), list(unread[:limit])
    else:
        items, count, latest = for_person(person, limit), 0, []
    return {
        "todos": [{"source": t.source, "title": t.title, "url": urljoin(base, t.url), "due": t.due,
                   "overdue": t.overdue} for t in items],
        "unread": count,
        "messages": [{"subject": m.subject, "sent_at": m.created_at,
                      "url": urljoin(base, m.link or "/inbox/")} for m in latest],
    }
