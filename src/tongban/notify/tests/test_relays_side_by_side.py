"""On PostgreSQL, relays running at once (threads here, worker processes in
production) claim with SKIP LOCKED: every message is sent exactly once; a sweep run
twice at the same moment queues nothing twice; a relay killed mid-send leaves its
message to be delivered (at least once) and the inbox shows it once."""

import multiprocessing
import os
import signal
import threading
import time

import pytest
from django.db import connection, connections, transaction

from tongban.accounts.services import create_user
from tongban.notify import relay
from tongban.notify.models import Message
from tongban.notify.services import notify
from tongban.notify.tests import recording

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_four_relays_at_once_send_every_message_exactly_once(world, recorded):
    users = [create_user(actor=None, username=f"u{i}", password="x-long-password") for i in range(120)]
    for user in users:
        user.email = f"{user.username}@example.edu.cn"
    type(users[0]).objects.bulk_update(users, ["email"])
    with transaction.atomic():
        notify(event="notify.test", recipients=users, key="batch", context={"time": "10:00"})
    Message.objects.filter(channel="email", status="sent").update(status="pending")  # undo the kick's work
    recording.reset()
    recording.behaviour["delay"] = 0.002
    _in_threads(4, lambda: relay.relay(batch=10))
    ids = [o.message_id for o in recorded]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert Message.objects.filter(channel="email", status="sent").count() == 120


def test_the_same_sweep_on_two_workers_at_once_queues_one_message(world, reachable, recorded):
    def sweep():
        with transaction.atomic():
            notify(event="notify.test", recipients=[reachable], key="loan:9:due:2026-11-24",
                   context={"time": "10:00"})

    _in_threads(2, sweep)
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "inbox"]
    assert len(recorded) == 1


def _relay_in_a_child():
    connections.close_all()
    relay.relay()


def test_a_worker_killed_mid_send_has_its_message_delivered_once_it_is_restarted(world, reachable, recorded,
                                                                                  settings):
    settings.NOTIFY_LEASE_SECONDS = 2
    with transaction.atomic(), kick_paused():
        notify(event="notify.test", recipients=[reachable], key="k", context={"time": "10:00"})
    recording.behaviour["delay"] = 60  # the child hangs in the middle of sending
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(target=_relay_in_a_child)
    child.start()
    try:
        deadline = time.monotonic() + 10
        while Message.objects.get(channel="email").status != "sending":
            assert time.monotonic() < deadline, "the child never claimed the message"
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.join()
    recording.behaviour["delay"] = 0
    assert relay.relay().tried == 0  # its lease still holds
    time.sleep(2.1)
    assert relay.relay().sent == 1  # a restarted worker's sweep
    email = Message.objects.get(channel="email")
    assert (email.status, email.attempts) == ("sent", 2)
    assert [o.message_id for o in recorded] == [email.pk]
    assert Message.objects.filter(recipient=reachable, channel="inbox").count() == 1


class kick_paused:
    """Queue without the after-commit kick delivering (the child is to take it)."""

    def __enter__(self):
        from tongban.notify import services

        self._kick, services._kick = services._kick, lambda: None
        return self

    def __exit__(self, *exc):
        from tongban.notify import services

        # restore after the transaction has committed (on_commit held the no-op)
        services._kick = self._kick
        return False
