"""How long sending a campaign to 30,000 recipients takes (every to-do and message
queued), beside a bulk INSERT of the same rows.

    DATABASE_URL=postgres://… python bench/campaign_dispatch.py [--recipients N] [--chunk N]

30,000 students, each with an account and a phone on their person record, are the
audience of a campaign from a department admin (a unit-subtree rule). The dispatch is
what a click on "send" runs: the start (checks, the audience counted, the claim, the
audit entry) and the job (the audience read, a to-do per recipient, the invitation on
each channel their preferences and addresses give: inbox and SMS here), chunk by chunk.
The anchor is bulk_create of the same rows, prebuilt in Python beforehand (to-dos and
messages): what the database takes to store them, with nothing decided. The target of
issue #20 is ≤ 1.5 × the anchor.
"""

from __future__ import annotations

import argparse
import time

from _setup import bench_database, timed

FULL = 30_000
TARGET_RATIO = 1.5


def students(n: int):
    """n accounts, each bound to a student with a phone, in one college (made in bulk:
    not measured)."""
    import datetime as dt

    from tongban.accounts.models import OrgUnit, User
    from tongban.accounts.services import create_org_unit
    from tongban.lib import crypto
    from tongban.lib.masking import mask_id_number, mask_phone
    from tongban.people import idnumber
    from tongban.people.models import Person

    univ = create_org_unit(actor=None, code="univ", name="示例大学", kind=OrgUnit.Kind.UNIVERSITY)
    college = create_org_unit(actor=None, code="univ-econ", name="经济学院", kind=OrgUnit.Kind.COLLEGE, parent=univ)
    users = User.objects.bulk_create([User(username=f"s{i:06d}", password="!", display_name=f"学生{i}")
                                      for i in range(n)], batch_size=2_000)
    users = list(User.objects.order_by("pk"))
    people = []
    for i, user in enumerate(users):
        number = idnumber.make("110105", dt.date(2005, 1, 1) + dt.timedelta(days=i % 3000), i % 999 + 1 + i // 999)
        phone = f"138{i:08d}"
        people.append(Person(
            name=f"学生{i}", id_number_enc=crypto.encrypt(number),
            id_number_index=crypto.blind_index(number, purpose="id"), id_number_masked=mask_id_number(number),
            gender="M", birth_date=dt.date(2005, 1, 1), region_code="110105", category="undergraduate",
            student_number=f"S{i:08d}", org_unit=college, enrolment_year=2024, phone_enc=crypto.encrypt(phone),
            phone_index=crypto.blind_index(phone, purpose="phone"), phone_masked=mask_phone(phone), account=user))
    Person.objects.bulk_create(people, batch_size=2_000)
    return univ, college


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=FULL)
    parser.add_argument("--chunk", type=int, default=None)
    args = parser.parse_args()
    n = args.recipients

    with bench_database() as where:
        from datetime import timedelta

        from django.db import transaction
        from django.utils import timezone
        from huey.contrib.djhuey import HUEY

        import tongban.notify.services as notify_services
        from tongban.accounts.roles import Role
        from tongban.accounts.services import create_user, grant_role
        from tongban.campaigns import services
        from tongban.campaigns.models import Assignment, Campaign
        from tongban.catalog.models import FormField, ServiceItem
        from tongban.catalog.services import publish
        from tongban.notify.models import Message
        from tongban.people.models import Person

        print(f"database: {where}")
        univ, college = students(n)
        admin = create_user(actor=None, username="dept", password="x-bench-x", display_name="学工部")
        grant_role(actor=None, user=admin, role=Role.COLLEGE_ADMIN, org_unit=univ)
        item = ServiceItem.objects.create(code="holiday-whereabouts", name="假期去向登记", org_unit=univ,
                                          audience=["student"], ways=["online"], needs_acceptance=False,
                                          effect="campaigns.form")
        FormField.objects.create(item=item, order=1, key="going", label="去向", type="choice", options="留校\n回家")
        publish(actor=None, item=item)
        item.refresh_from_db()
        now = timezone.now()
        campaign = services.create_campaign(actor=admin, name="国庆假期去向", item=item, opens_at=now,
                                            closes_at=now + timedelta(days=3), rule={"units": [college.pk]})
        t: dict[str, float] = {}

        # the anchor: the same rows (to-dos, then the inbox and SMS invitations), prebuilt
        people = list(Person.objects.order_by("pk").values_list("pk", "org_unit_id", "account_id", "name"))
        body = "{name}：请在 2026-10-01 18:00 前填写“国庆假期去向”，截止前可修改。"
        todos = [Assignment(campaign=campaign, person_id=pk, org_unit_id=unit) for pk, unit, _, _ in people]
        messages = [Message(key=f"anchor:{pk}:{channel}", recipient_id=account, channel=channel,
                            event="campaigns.invite", kind="campaign",
                            context={"name": name, "campaign": "国庆假期去向", "closes": "2026-10-01 18:00"},
                            subject="请填写：国庆假期去向", body=body.format(name=name), link="/campaigns/",
                            status="sent" if channel == "inbox" else "pending", next_attempt_at=now)
                    for pk, _, account, name in people for channel in ("inbox", "sms")]
        with timed(t, "bulk"), transaction.atomic():
            Assignment.objects.bulk_create(todos, batch_size=1_000)
            Message.objects.bulk_create(messages, batch_size=1_000)
        Assignment.objects.all().delete()
        Message.objects.all().delete()
        # a second, harder anchor on PostgreSQL: the same rows as plain dicts by one COPY each
        from django.db import connection

        from tongban.lib.bulk import copy_rows

        if connection.vendor == "postgresql":
            fields = {"assignment": [f.attname for f in Assignment._meta.concrete_fields if not f.primary_key],
                      "message": [f.attname for f in Message._meta.concrete_fields if not f.primary_key]}
            todo_rows = [{k: getattr(o, k) for k in fields["assignment"] if getattr(o, k) is not None}
                         for o in todos]
            message_rows = [{k: getattr(o, k) for k in fields["message"] if getattr(o, k) is not None}
                            for o in messages]
            with timed(t, "copy"), transaction.atomic():
                copy_rows(Assignment, todo_rows)
                copy_rows(Message, message_rows)
            Assignment.objects.all().delete()
            Message.objects.all().delete()

        notify_services._kick = lambda: None  # measure the dispatch, not an immediate relay
        HUEY.immediate = True  # the job runs as the start commits, in this process
        if args.chunk:
            services.CHUNK = args.chunk
        with timed(t, "dispatch"):
            services.start_dispatch(actor=admin, campaign=campaign)
        campaign.refresh_from_db()
        written = Message.objects.count()
        assert campaign.state == Campaign.State.DONE, campaign.error
        assert Assignment.objects.count() == n and written == 2 * n, (Assignment.objects.count(), written)
        with timed(t, "again"):
            services.start_dispatch(actor=admin, campaign=campaign)  # a second click: sends nothing
        assert Message.objects.count() == written

        rows = n + written
        ratio = t["dispatch"] / t["bulk"]
        verdict = ("OK" if ratio <= TARGET_RATIO else "MISSED") if n == FULL else f"(the target is for {FULL:,})"
        print(f"dispatch to {n:,} recipients ({n:,} to-dos + {written:,} messages): {t['dispatch']:.1f} s; "
              f"bulk_create of the same {rows:,} rows: {t['bulk']:.1f} s; ratio {ratio:.2f}× "
              f"(target ≤ {TARGET_RATIO}×) {verdict}")
        if "copy" in t:
            print(f"  against COPY of the same rows ({t['copy']:.1f} s): {t['dispatch'] / t['copy']:.2f}×")
        print(f"  dispatch {rows / t['dispatch']:,.0f} rows/s; bulk_create {rows / t['bulk']:,.0f} rows/s; "
              f"started again: {t['again'] * 1000:.0f} ms, nothing sent")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"  (bench took {time.perf_counter() - started:.0f} s in all)")
