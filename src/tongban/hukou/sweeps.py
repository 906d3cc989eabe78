"""The daily storage sweep: remind graduates whose stored household is about to expire
(30, 7 and 1 days before, by default), and give the office the list of those whose
storage has expired and who must move out. Every message is keyed on its fact, so the
sweep may run twice, late, or on two workers without repeating one."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import Membership
from tongban.accounts.roles import Role
from tongban.hukou.models import HouseholdRecord, Status
from tongban.notify.models import Message
from tongban.notify.services import Outgoing, Reach, notify, notify_each


def storage_sweep(*, today: dt.date | None = None,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """The reminders (30, 7 and 1 days before the end, by HUKOU_STORAGE_REMINDER_DAYS)
    and the office's list of expired storage, as on `today`. Each message is keyed on
    its record, expiry and threshold, so running it again, late, or on two workers
    sends nothing twice. `progress(done, total)` as the records are gone through."""
    today = today or timezone.localdate()
    return {"reminded": _remind_expiring(today, progress), "reported": _report_expired(today)}


PROGRESS_EVERY = 200


def _remind_expiring(today: dt.date, progress: Callable[[int, int], None] | None = None) -> int:
    thresholds = sorted(settings.HUKOU_STORAGE_REMINDER_DAYS)
    if not thresholds:
        return 0
    due = (HouseholdRecord.objects.filter(status=Status.STORED, storage_expiry__gte=today,
                                          storage_expiry__lte=today + dt.timedelta(days=thresholds[-1]))
           .select_related("person__account").order_by("pk"))
    sent = 0
    total = due.count() if progress else 0
    for done, rec in enumerate(due.iterator(chunk_size=500), start=1):
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
        left = (rec.storage_expiry - today).days
        # the tightest reminder this record is within: a sweep that missed the 30-day
        # morning sends the 30-day one late, never both it and the 7-day one at once
        threshold = next(t for t in thresholds if left <= t)
        key = f"hukou.storage_expiring:{rec.pk}:{rec.storage_expiry}:{threshold}"
        if Message.objects.filter(key__startswith=f"{key}:").exists():
            continue  # sent by an earlier run: the count says what this run sent
        # to the graduate's account, or, one never bound, by text to the phone on record
        tally: Counter = Counter()
        with transaction.atomic():
            notify_each(event="hukou.storage_expiring", tally=tally, outgoing=[Outgoing.for_person(
                rec.person, key, {"expiry": rec.storage_expiry.isoformat(), "days": left}, reverse("hukou:mine"), rec)])
        sent += tally[Reach.INBOX] + tally[Reach.SMS]
    return sent


def _report_expired(today: dt.date) -> int:
    """One message per officer covering expired records, whenever a new expiry date
    joins the list (keyed on the newest), so a quiet week sends nothing."""
    expired = list(HouseholdRecord.objects.filter(status=Status.STORED, storage_expiry__lt=today)
                   .select_related("person__org_unit").only("pk", "storage_expiry", "person__org_unit__path"))
    if not expired:
        return 0
    newest = max(r.storage_expiry for r in expired)
    officers = Membership.objects.filter(role=Role.OFFICER).select_related("user", "org_unit")
    counts: dict = defaultdict(int)
    users = {}
    for m in officers:
        if not m.user.is_active:
            continue
        n = sum(1 for r in expired if r.person.org_unit.path.startswith(m.org_unit.path))
        if n:
            counts[m.user_id] = max(counts[m.user_id], n)
            users[m.user_id] = m.user
    sent = 0
    with transaction.atomic():
        for user_id, n in counts.items():
            sent += notify(event="hukou.storage_expired", recipients=[users[user_id]],
                           key=f"hukou.storage_expired:{newest}", context={"count": n, "date": today.isoformat()},
                           link=f"{reverse('hukou:records')}?expired=1")
    return sent
