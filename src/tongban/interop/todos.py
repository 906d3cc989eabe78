"""Other systems' to-dos on tongban's one list (notify.todos): the open ones pushed for
the person bound to the user's account (or for a person with no account yet)."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.accounts.models import User
from tongban.interop.models import ExternalTodo
from tongban.notify.todos import Todo


def _open(rows: QuerySet[ExternalTodo], limit: int) -> list[Todo]:
    rows = (rows.filter(done_at__isnull=True, client__revoked_at__isnull=True).select_related("client")
            .order_by("due", "-pk")[:limit])
    return [Todo(source=f"interop:{row.client.name}", key=f"todo:{row.pk}", title=row.title, url=row.url,
                 due=row.due, detail=row.client.name) for row in rows]


def todos_of(user: User, limit: int) -> list[Todo]:
    return _open(ExternalTodo.objects.filter(person__account=user), limit)


def for_person(person, limit: int) -> list[Todo]:
    return _open(ExternalTodo.objects.filter(person=person), limit)
