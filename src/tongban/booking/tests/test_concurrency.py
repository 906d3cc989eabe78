"""Fifty people press "book" for the last place at the same instant, each in their
own thread, connection and transaction: exactly one gets it, every other is told
"已约满", nothing else goes wrong, and the slot holds exactly its capacity."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tongban.audit.models import AuditEntry
from tongban.booking.models import Booking, Slot
from tongban.booking.services import book
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.lib.errors import StateConflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


def test_fifty_people_race_for_one_place(desk, applicant_like):
    s = slot(desk.resource, MONDAY + dt.timedelta(days=1), 9)
    Slot.objects.filter(pk=s.pk).update(capacity=1)
    s.refresh_from_db()
    people = [applicant_like(f"抢号{n}") for n in range(THREADS)]
    start = threading.Barrier(THREADS)
    won: list[int] = []
    full: list[str] = []
    failures: list[BaseException] = []

    def booker(user) -> None:
        try:
            start.wait()
            won.append(book(actor=user, slot=s, service=desk.id_card).pk)
        except StateConflict as exc:
            full.append(exc.message)
        except BaseException as exc:  # reported by the main thread below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=booker, args=(user,)) for user in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert len(won) == 1
    assert len(full) == THREADS - 1 and all("已约满" in m for m in full)
    s.refresh_from_db()
    assert (s.booked, s.capacity) == (1, 1)
    assert Booking.objects.filter(slot=s).count() == 1
    assert AuditEntry.objects.filter(action="booking.book").count() == 1
