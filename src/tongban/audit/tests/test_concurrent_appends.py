"""Writers in many threads, each with its own connection and transactions, take turns
at the head of the chain: the sequence has no gaps or duplicates and the chain holds."""

import threading

import pytest
from django.db import connection, transaction

from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry
from tongban.audit.services import record
from tongban.conftest import at_once, failures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10
EACH = 20


def test_concurrent_writers_leave_one_unbroken_chain():
    def writer(n: int) -> None:
        for i in range(EACH):
            with transaction.atomic():
                record(actor=None, action="test.concurrent", summary=f"writer {n} entry {i}",
                       object_type="test.writer", object_id=str(n), details={"i": i})

    assert failures(at_once(THREADS, writer)) == []
    total = THREADS * EACH
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    assert verify(AuditEntry.objects.all()).ok
    # Each writer's own entries are in its own order.
    for n in range(THREADS):
        mine = AuditEntry.objects.filter(object_id=str(n)).order_by("seq").values_list("details__i", flat=True)
        assert list(mine) == list(range(EACH))


def test_a_writer_that_rolls_back_while_others_append_leaves_no_gap():
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    class GaveUp(Exception):
        pass

    def writer(n: int, give_up: bool) -> None:
        try:
            start.wait()
            for i in range(EACH):
                try:
                    with transaction.atomic():
                        record(actor=None, action="test.concurrent", summary=f"writer {n} entry {i}",
                               object_type="test.writer", object_id=str(n))
                        if give_up and i % 2:
                            raise GaveUp
                except GaveUp:
                    pass
        except BaseException as exc:  # reported by the main thread below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(0, False)), threading.Thread(target=writer, args=(1, True))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert failures == []
    total = EACH + EACH // 2
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    assert AuditEntry.objects.filter(object_id="1").count() == EACH // 2
    assert verify(AuditEntry.objects.all()).ok
