"""Newly created students and staff get an "awaiting choice" household record in the
same transaction that created them."""

from django.dispatch import receiver

from tongban.hukou.services import ensure_records
from tongban.people.signals import people_created


@receiver(people_created)
def open_records(sender, ids, **kwargs) -> None:
    ensure_records(ids)
