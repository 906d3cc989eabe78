"""On PostgreSQL the trail is append-only at the database itself: a trigger refuses
UPDATE and DELETE whether they come as raw SQL or through the ORM."""

import pytest
from django.db import ProgrammingError, connection, transaction

from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry

pytestmark = pytest.mark.postgres


@pytest.fixture
def entry(world) -> AuditEntry:
    return AuditEntry.objects.get(seq=5)


def _unchanged(entry: AuditEntry, total: int) -> None:
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.summary, stored.hash) == (entry.seq, entry.summary, entry.hash)
    assert AuditEntry.objects.count() == total
    assert verify(AuditEntry.objects.all()).ok


def test_raw_sql_cannot_update_an_entry(entry):
    total = AuditEntry.objects.count()
    refused = pytest.raises(ProgrammingError, match="append-only: UPDATE refused")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = 'forged' WHERE seq = %s", [entry.seq])
    _unchanged(entry, total)


def test_raw_sql_cannot_delete_an_entry(entry):
    total = AuditEntry.objects.count()
    refused = pytest.raises(ProgrammingError, match="append-only: DELETE refused")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [entry.seq])
    _unchanged(entry, total)


def test_saving_a_changed_entry_is_refused(entry):
    total = AuditEntry.objects.count()
    forged = AuditEntry.objects.get(pk=entry.pk)
    forged.summary = "forged"
    with pytest.raises(ProgrammingError, match="append-only: UPDATE refused"), transaction.atomic():
        forged.save()
    _unchanged(entry, total)


def test_a_queryset_update_is_refused(entry):
    total = AuditEntry.objects.count()
    with pytest.raises(ProgrammingError, match="append-only: UPDATE refused"), transaction.atomic():
        AuditEntry.objects.filter(actor_id=None).update(summary="forged")
    _unchanged(entry, total)


def test_deleting_an_entry_is_refused(entry):
    total = AuditEntry.objects.count()
    with pytest.raises(ProgrammingError, match="append-only: DELETE refused"), transaction.atomic():
        AuditEntry.objects.get(pk=entry.pk).delete()
    _unchanged(entry, total)


def test_deleting_the_whole_trail_is_refused(entry):
    total = AuditEntry.objects.count()
    with pytest.raises(ProgrammingError, match="append-only: DELETE refused"), transaction.atomic():
        AuditEntry.objects.all().delete()
    _unchanged(entry, total)
