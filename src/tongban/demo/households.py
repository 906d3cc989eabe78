"""A spread of household statuses for the demo, so the overview and the lists have
something to show: entered as the officer's audited corrections marked as demo data.
Only on the first seed (while every record still awaits a choice); the demo student
keeps "awaiting choice" so the move-in journey can be tried."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongban.accounts.models import User
from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.services import add_months, correct

# every n-th record (by id) -> status
SPREAD = [(10, Status.MOVED_OUT), (7, Status.STORED), (5, Status.WAIVED), (2, Status.IN_SCHOOL)]


def seed_households(officer: User) -> int:
    if HouseholdRecord.objects.exclude(status=Status.AWAITING).exists():
        return 0
    today = timezone.localdate()
    changed = 0
    for i, rec in enumerate(HouseholdRecord.objects.filter(person__account=None).select_related("person__org_unit")
                            .order_by("id")):
        status = next((s for n, s in SPREAD if i % n == 0), None) if i else None
        if status is None:
            continue
        fields = {"certificate_number": f"QY{2025000 + rec.pk}", "collective_address": "示例大学集体户"}
        if status == Status.STORED:
            # a few expire within 30 days, so the reminders and the expiring column show
            fields["storage_expiry"] = today + dt.timedelta(days=10) if i % 14 == 0 else add_months(today, 3)
        correct(actor=officer, rec=rec, status=status, reason="演示数据", **fields)
        changed += 1
    return changed
