"""Many messages at once (a sweep's reminders): each recipient gets their own key,
values and object; a run again writes nothing more and renders nothing again; on
PostgreSQL the rows go by COPY, and when another worker wrote some of the same keys
in between, the batch still lands whole, without duplicates or an error."""

import pytest
from django.db import transaction

from tongban.accounts.models import User
from tongban.notify import services
from tongban.notify.models import Message
from tongban.notify.services import Outgoing, notify_each


def _students(n: int) -> list[User]:
    User.objects.bulk_create([User(username=f"many{i}", password="!", display_name=f"学生{i}",
                                   email=f"s{i}@example.edu.cn") for i in range(n)])
    return list(User.objects.filter(username__startswith="many").order_by("pk"))


def _tell_each(users: list[User]) -> int:
    with transaction.atomic():
        return notify_each(event="notify.test", outgoing=[
            Outgoing(u, f"reminder:{u.pk}", {"time": f"{8 + n % 10}:00"}, "/loans/mine/", u)
            for n, u in enumerate(users)])


def _rows():
    return sorted(Message.objects.values_list("key", "recipient_id", "channel", "status", "body", "object_id"))


@pytest.mark.django_db
def test_each_recipient_gets_their_own_message_once_however_often_it_runs(world, monkeypatch):
    users = _students(120)
    assert _tell_each(users) == 240  # inbox and e-mail each
    rows = _rows()
    assert len(rows) == 240 and len({r[0] for r in rows}) == 240
    inbox = Message.objects.get(recipient=users[3], channel="inbox")
    assert inbox.status == Message.Status.SENT and "11:00" in inbox.body and inbox.object_id == str(users[3].pk)
    assert Message.objects.get(recipient=users[3], channel="email").status == Message.Status.PENDING

    rendered = []
    real = services._rendered
    monkeypatch.setattr(services, "_rendered", lambda *a: rendered.append(1) or real(*a))
    assert _tell_each(users) == 240  # offered again, as before
    assert rendered == [] and _rows() == rows  # found before rendering: nothing new


@pytest.mark.postgres
@pytest.mark.django_db
def test_rows_another_worker_wrote_meanwhile_are_skipped_not_doubled(world, monkeypatch):
    users = _students(150)
    _tell_each(users[:40])  # "the other worker", already done with the first 40
    before = Message.objects.count()
    monkeypatch.setattr(services, "_existing", lambda keys: set())  # it wrote them after our look
    assert _tell_each(users) == 300
    assert Message.objects.count() == before + 220 == 300
    assert Message.objects.filter(recipient=users[100], channel="inbox").count() == 1
