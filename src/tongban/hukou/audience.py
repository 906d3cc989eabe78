"""Who is a graduate (毕业生) or an alumnus (校友), for the catalog's audiences: read
from the household record the office keeps, and registered with the engine
(catalog.eligibility) so that it never imports this app."""

from __future__ import annotations

from django.utils import timezone

from tongban.catalog import eligibility
from tongban.catalog.models import Audience
from tongban.hukou.models import HouseholdRecord, Status
from tongban.hukou.services import STUDENT_CATEGORIES, is_graduate


def household_audiences(user) -> set[str]:
    """A student whose graduation the office has recorded is a graduate (as storage
    counts one: graduated, or graduating within its window), and once the date has
    passed an alumnus too; a stored household (毕业暂存) is a graduate's. Anyone else,
    or anyone without a household record, is neither."""
    rec = (HouseholdRecord.objects.filter(person__account=user).select_related("person").order_by().first()
           if user.is_authenticated else None)
    if rec is None or rec.person.category not in STUDENT_CATEGORIES:
        return set()
    found = set()
    if rec.status == Status.STORED or is_graduate(rec):
        found.add(Audience.GRADUATE.value)
    if rec.status == Status.STORED or (rec.graduation_date and rec.graduation_date <= timezone.localdate()):
        found.add(Audience.ALUMNUS.value)
    return found


eligibility.register_source("hukou", household_audiences)
