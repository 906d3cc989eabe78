"""insert_rows: the rows written as given, a field left out by its default (the
present moment for auto_now ones), a taken key skipped when asked, and statements
that stay within the database's limit on parameters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.lib.bulk import insert_rows
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db


def _row(user, n: int) -> dict:
    return {"key": f"bulk:{n}:{user.pk}:inbox", "recipient_id": user.pk, "channel": "inbox", "event": "demo",
            "kind": "case", "context": {"n": n, "名字": "李同学"}, "body": f"第 {n} 条"}


def test_rows_are_written_with_defaults_and_the_present_moment(world):
    insert_rows(Message, [_row(world.applicant, n) for n in range(3)])
    rows = list(Message.objects.filter(key__startswith="bulk:").order_by("key"))
    assert [r.context for r in rows] == [{"n": n, "名字": "李同学"} for n in range(3)]
    assert all(r.created_at is not None and r.status == Message.Status.PENDING and r.attempts == 0 for r in rows)


def test_a_taken_key_is_skipped_only_when_asked(world):
    from django.db import IntegrityError, transaction

    insert_rows(Message, [_row(world.applicant, 1)])
    insert_rows(Message, [_row(world.applicant, 1), _row(world.applicant, 2)], skip_taken=True)
    assert Message.objects.filter(key__startswith="bulk:").count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Message, [_row(world.applicant, 2)])


def test_each_statement_stays_within_the_databases_limit_on_parameters(world):
    with CaptureQueriesContext(connection) as ran:
        insert_rows(Message, [_row(world.applicant, n) for n in range(120)])
    assert Message.objects.filter(key__startswith="bulk:").count() == 120
    limit = connection.features.max_query_params
    fields = len([f for f in Message._meta.concrete_fields if not f.primary_key])
    inserts = [q for q in ran.captured_queries if q["sql"].startswith("INSERT")]
    if limit:  # SQLite: 999
        assert len(inserts) == -(-120 // (limit // fields))
    else:
        assert len(inserts) == 1
