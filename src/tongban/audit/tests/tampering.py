"""Tampering as someone with a database prompt would: raw SQL round the application.

On PostgreSQL the append-only trigger refuses that, so the guard is switched off for
the statement (as a table owner could) and back on."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def guard_lifted() -> Iterator[None]:
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
    try:
        yield
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")


def tamper(statement: str, params: list) -> None:
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(statement, params)
