"""Serial numbers: many submissions at once, each in its own thread and connection,
get distinct consecutive numbers; each prefix counts on its own."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from tongban.cases.serials import next_serial

THREADS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_submissions_at_once_get_twenty_distinct_consecutive_serials():
    start = threading.Barrier(THREADS)
    serials: list[str] = []
    failures: list[BaseException] = []

    def submitter() -> None:
        try:
            start.wait()
            serials.append(next_serial("HK"))
        except BaseException as exc:  # reported by the main thread below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submitter) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not any(t.is_alive() for t in threads)
    assert failures == []
    year = timezone.localdate().year
    assert sorted(serials) == [f"HK-{year}-{n:06d}" for n in range(1, THREADS + 1)]


@pytest.mark.django_db
def test_each_prefix_counts_on_its_own():
    year = timezone.localdate().year
    assert [next_serial("HK"), next_serial("HK"), next_serial("XW"), next_serial("HK")] == [
        f"HK-{year}-000001", f"HK-{year}-000002", f"XW-{year}-000001", f"HK-{year}-000003"]
