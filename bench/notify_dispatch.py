"""How fast one dispatch queues 30,000 messages, beside the raw rate of inserting the
same rows with bulk_create; and how fast the relay delivers to the SMS file backend.

    python bench/notify_dispatch.py [--recipients N]

15,000 recipients (each with a phone on their person record) are told one thing on
the inbox and by SMS: 30,000 messages in one `notify` call, preferences read, every
message rendered. The anchor is bulk_create of the same 30,000 rows, prebuilt.
The relay figure is messages per second through claim → send → record, to FileSms.
"""

from __future__ import annotations

import argparse
import time

from _setup import bench_database, timed

FULL = 15_000
TARGET_SECONDS = 10


def recipients(n: int):
    """n accounts, each bound to a person with a phone (made in bulk: not measured)."""
    import datetime as dt

    from tongban.accounts.models import OrgUnit, User
    from tongban.lib import crypto
    from tongban.lib.masking import mask_id_number, mask_phone
    from tongban.people import idnumber
    from tongban.people.models import Person

    unit = OrgUnit.objects.create(code="univ", name="示例大学", kind=OrgUnit.Kind.UNIVERSITY, path="/x/")
    users = User.objects.bulk_create([User(username=f"s{i:06d}", password="!") for i in range(n)],
                                     batch_size=2_000)
    users = list(User.objects.order_by("pk"))
    people = []
    for i, user in enumerate(users):
        number = idnumber.make("110105", dt.date(2005, 1, 1) + dt.timedelta(days=i % 3000), i % 999 + 1 + i // 999)
        phone = f"138{i:08d}"
        people.append(Person(
            name=f"学生{i}", id_number_enc=crypto.encrypt(number),
            id_number_index=crypto.blind_index(number, purpose="id"), id_number_masked=mask_id_number(number),
            gender="M", birth_date=dt.date(2005, 1, 1), region_code="110105", category="undergraduate",
            org_unit=unit, phone_enc=crypto.encrypt(phone), phone_index=crypto.blind_index(phone, purpose="phone"),
            phone_masked=mask_phone(phone), account=user))
    Person.objects.bulk_create(people, batch_size=2_000)
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=FULL)
    args = parser.parse_args()
    n = args.recipients

    with bench_database() as where:
        from django.db import transaction
        from django.utils import timezone

        from tongban.notify import events, relay
        from tongban.notify.events import Channel
        from tongban.notify.models import Message
        from tongban.notify.services import notify

        print(f"database: {where}")
        events.register(events.EventType(
            "bench.notice", "booking", "预约提醒", {"name": "姓名", "when": "时间", "place": "地点"},
            {Channel.INBOX: ("预约提醒", "{name}，您预约的 {when} 在 {place} 办理，请准时到达。"),
             Channel.SMS: ("", "name={name}\nwhen={when}\nplace={place}")}))
        users = recipients(n)
        t: dict[str, float] = {}
        context = {"when": "11月24日 09:00", "place": "保卫处户籍窗口"}

        # the anchor: the same rows, prebuilt, through bulk_create
        now = timezone.now()
        rows = [Message(key=f"anchor:{u.pk}:{c}", recipient_id=u.pk, channel=c, event="bench.notice",
                        kind="booking", context={"name": u.username, **context}, subject="预约提醒",
                        body=f"{u.username}，您预约的 11月24日 09:00 在 保卫处户籍窗口 办理，请准时到达。",
                        status="sent" if c == "inbox" else "pending", next_attempt_at=now)
                for u in users for c in (Channel.INBOX, Channel.SMS)]
        with timed(t, "bulk"), transaction.atomic():
            Message.objects.bulk_create(rows, batch_size=1_000)
        Message.objects.all().delete()

        import tongban.notify.services as services

        services._kick = lambda: None  # measure the dispatch, not an immediate relay
        with timed(t, "dispatch"), transaction.atomic():
            written = notify(event="bench.notice", recipients=users, key="bench:2026-11-24", context=context)
        assert written == 2 * n == Message.objects.count(), written
        met = "OK" if t["dispatch"] <= TARGET_SECONDS else "MISSED"
        verdict = met if n == FULL else f"(the target is for {2 * FULL:,} messages)"
        print(f"queue {written:,} messages in one dispatch: {t['dispatch']:.1f} s "
              f"(bulk_create of the same rows: {t['bulk']:.1f} s, {t['dispatch'] / t['bulk']:.1f}×; "
              f"target ≤ {TARGET_SECONDS} s) {verdict}")
        print(f"  dispatch {written / t['dispatch']:,.0f} messages/s; bulk_create {written / t['bulk']:,.0f} rows/s")

        with timed(t, "relay"):
            tally = relay.relay(batch=200, budget_seconds=3600)
        assert tally.sent == n, tally
        print(f"relay to the SMS file backend: {tally.sent:,} messages in {t['relay']:.1f} s = "
              f"{tally.sent / t['relay']:,.0f} messages/s (bulk_create inserts {written / t['bulk']:,.0f} rows/s)")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"  (bench took {time.perf_counter() - started:.0f} s in all)")
