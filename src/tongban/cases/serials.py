"""Readable serial numbers, HK-2026-000123: one counter row per prefix and year, counted
up by one upsert, so concurrent submissions never share a number."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from tongban.cases.models import SerialCounter


def next_serial(prefix: str) -> str:
    """The next number of `prefix` this year. One statement (INSERT … ON CONFLICT DO
    UPDATE … RETURNING, on PostgreSQL and on SQLite ≥ 3.35) makes the year's row or
    counts it up and reads it back; the row stays locked until the caller's
    transaction ends, so take the number as late in it as you can: every other
    submission of the prefix waits for that commit. A transaction that rolls back
    gives its number back."""
    year = timezone.localdate().year
    quote = connection.ops.quote_name
    table = quote(SerialCounter._meta.db_table)
    prefix_col, year_col, last_col = (quote(SerialCounter._meta.get_field(f).column)
                                      for f in ("prefix", "year", "last"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({prefix_col}, {year_col}, {last_col}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({prefix_col}, {year_col}) DO UPDATE SET {last_col} = {table}.{last_col} + 1 "
            f"RETURNING {last_col}", [prefix, year])
        (number,) = cursor.fetchone()
    return f"{prefix}-{year}-{number:06d}"
