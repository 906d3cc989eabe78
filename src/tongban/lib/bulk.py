"""Writing rows of a model without building model instances: many at once on
PostgreSQL by COPY (a sweep's thousands of messages or restrictions), a few by one
written-out INSERT (an act's messages). bulk_create prepares and quotes every value in
Python (and Django 5.2 sends them as arrays, quoted element by element), and compiles
its statement every time, which costs several times what the database takes to store
them."""

from __future__ import annotations

import functools
import json

from django.db import connection
from django.utils import timezone

INSERT_BATCH = 500  # rows per INSERT, fewer where the database takes fewer parameters


@functools.lru_cache(maxsize=64)
def _insert_sql(model, rows: int, skip_taken: bool, vendor: str) -> str:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([one] * rows)}" + (" ON CONFLICT DO NOTHING" if skip_taken else ""))


def insert_rows(model, rows: list[dict], *, skip_taken: bool = False) -> None:
    """Write `rows` (values by attribute name; a field left out takes its default, an
    auto_now or auto_now_add one the present moment; no primary keys) into `model`'s
    table with INSERTs of up to INSERT_BATCH rows, in the caller's transaction.
    `skip_taken`: a row whose unique key exists is skipped, as
    bulk_create(ignore_conflicts=True) does. PostgreSQL and SQLite."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    missing = {f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
               else f.get_default() for f in fields}
    limit = connection.features.max_query_params
    per = max(1, min(INSERT_BATCH, limit // len(fields))) if limit else INSERT_BATCH
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            batch = rows[start:start + per]
            params = []
            for row in batch:
                for f in fields:
                    value = row[f.attname] if f.attname in row else missing[f.attname]
                    params.append(f.get_db_prep_save(value, connection))
            cursor.execute(_insert_sql(model, len(batch), skip_taken, connection.vendor), params)


def insert_select(model, *, columns: dict[str, str], source: str, params: list,
                  skip_taken: bool = False) -> int:
    """One `INSERT INTO model (…) SELECT … source`: each attribute in `columns` takes the SQL
    expression given (over the tables `source` names: "FROM … WHERE …"), every other field its
    default (auto_now ones the present moment). The database makes the rows: nothing is built
    or prepared per row in Python. Returns how many were written."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    exprs, defaults = [], []
    for f in fields:
        if f.attname in columns:
            exprs.append(columns[f.attname])
            continue
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        exprs.append("%s")
        defaults.append(f.get_db_prep_save(now if auto else f.get_default(), connection))
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"SELECT {', '.join(exprs)} {source}" + (" ON CONFLICT DO NOTHING" if skip_taken else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*defaults, *params])
        return cursor.rowcount


def copy_rows(model, rows: list[dict], *, with_ids: bool = False) -> list[int]:
    """Write `rows` (values by attribute name; a field left out takes its default)
    into `model`'s table with one COPY, in the caller's transaction. With `with_ids`,
    the primary keys are first drawn from the table's sequence and returned in the
    rows' order. Errors come as Django's (a taken unique key: IntegrityError).
    PostgreSQL only."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_ids or not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields if not f.primary_key}
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    quote = connection.ops.quote_name
    ids: list[int] = []
    dumped: dict[int, str] = {}  # rows often share a dict (one recipient's channels): dumped once

    def as_json(value) -> str:
        if id(value) not in dumped:
            dumped[id(value)] = json.dumps(value, ensure_ascii=False)
        return dumped[id(value)]

    with connection.wrap_database_errors, connection.cursor() as cursor:
        if with_ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for n, row in enumerate(rows):
                values = defaults | row
                if with_ids:
                    values[meta.pk.attname] = ids[n]
                copy.write_row([as_json(values[f.attname]) if f.attname in json_fields else values[f.attname]
                                for f in fields])
    return ids
