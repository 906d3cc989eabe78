"""Readable serial numbers, HK-2026-000123: one counter row per prefix and year, taken
under a row lock, so concurrent submissions never share a number."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.cases.models import SerialCounter


def next_serial(prefix: str) -> str:
    year = timezone.localdate().year
    with transaction.atomic():
        SerialCounter.objects.bulk_create([SerialCounter(prefix=prefix, year=year)], ignore_conflicts=True)
        SerialCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        number = SerialCounter.objects.get(prefix=prefix, year=year).last
    return f"{prefix}-{year}-{number:06d}"
