"""Fifty people press "book" for the last place at the same instant, each in their
own thread, connection and transaction: exactly one gets it, every other is told
"已约满", nothing else goes wrong, and the slot holds exactly its capacity."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tongban.accounts.models import OrgUnit
from tongban.audit.models import AuditEntry
from tongban.booking.models import Booking, Slot
from tongban.booking.services import book, walk_in
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.conftest import while_another_holds
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


def test_booking_locks_the_person_not_their_unit(desk, applicant_like):
    """People of one college book side by side: while another transaction holds the
    college's row (an admin renaming it, say), a booking neither waits for it nor
    fails. Locking the person through Person's default ordering used to lock the
    joined unit row too, so every booking of a unit queued behind the one before."""
    user = applicant_like("并行预约")
    unit = user.person.org_unit
    s = slot(desk.resource, MONDAY + dt.timedelta(days=1), 9)
    with while_another_holds(OrgUnit, unit.pk):
        b = book(actor=user, slot=s, service=desk.id_card)
    assert Booking.objects.filter(pk=b.pk, person__account=user).exists()


def test_a_queue_number_locks_the_window_not_its_unit(desk, world):
    """Issuing the day's next number locks the resource's row; through Resource's
    default ordering (by the unit's path) it used to lock the joined unit row too, so a
    station being edited held up its whole queue."""
    walker = world.person(name="孙居民", student_number="W001")
    with while_another_holds(OrgUnit, desk.resource.org_unit_id):
        b = walk_in(actor=world.clerk, resource=desk.resource, person=walker, service=desk.proof)
    assert b.queue_number == 1
