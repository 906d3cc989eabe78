"""Signals other apps listen to, so people knows nothing of them (the collective
household opens a record for each new student or staff member, say)."""

from django.dispatch import Signal

# sent inside the transaction that created the people; `ids`: their primary keys
people_created = Signal()
