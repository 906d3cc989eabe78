"""Reads of household records, always through the caller's reach over people: a
college admin sees their college's people, the security office the whole university."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext

from tongban.accounts.access import one_within, refused, scope
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Action
from tongban.catalog.models import ServiceItem
from tongban.hukou.models import HouseholdRecord, Status, Waiver, WaiverAgreement
from tongban.people.models import Category, Person

EXPIRING_DAYS = 30


@dataclass
class Filters:
    college: int | None = None
    status: str = ""
    expiring: bool = False   # stored, expiring within EXPIRING_DAYS (or already expired)
    expired: bool = False    # stored and past the expiry date
    query: str = ""
    enrolment_year: int | None = None

    @classmethod
    def from_params(cls, params) -> Filters:
        def number(name):
            value = params.get(name, "")
            return int(value) if str(value).isdigit() else None

        status = params.get("status", "")
        return cls(college=number("college"), status=status if status in Status.values else "",
                   expiring=params.get("expiring") == "1", expired=params.get("expired") == "1",
                   query=params.get("q", "").strip()[:50], enrolment_year=number("year"))

    def as_params(self) -> dict:
        out = {"college": self.college, "status": self.status, "expiring": "1" if self.expiring else "",
               "expired": "1" if self.expired else "", "q": self.query, "year": self.enrolment_year}
        return {k: v for k, v in out.items() if v not in (None, "")}


def records(*, user: User, filters: Filters | None = None, action: str = Action.PEOPLE_VIEW) -> QuerySet:
    f = filters or Filters()
    qs = scope(HouseholdRecord.objects.select_related("person", "person__org_unit"), user, action,
               unit_field="person__org_unit")
    if f.college:
        qs = qs.filter(person__org_unit_id=f.college)
    if f.status:
        qs = qs.filter(status=f.status)
    today = timezone.localdate()
    if f.expiring:
        qs = qs.filter(status=Status.STORED, storage_expiry__lte=today + dt.timedelta(days=EXPIRING_DAYS))
    if f.expired:
        qs = qs.filter(status=Status.STORED, storage_expiry__lt=today)
    if f.enrolment_year:
        qs = qs.filter(person__enrolment_year=f.enrolment_year)
    if f.query:
        qs = qs.filter(Q(person__name__icontains=f.query) | Q(person__student_number=f.query))
    return qs.order_by("person__org_unit__name", "person__student_number", "id")


def history(rec: HouseholdRecord) -> QuerySet:
    """The record's moves and corrections, oldest first, for whoever may see the record
    (`record_for` already checked that): its own timeline, not the audit trail at large."""
    from tongban.audit.models import AuditEntry

    return AuditEntry.objects.filter(object_type=HouseholdRecord._meta.label_lower,
                                     object_id=str(rec.pk)).order_by("seq")


def record_for(*, user: User, pk: int) -> HouseholdRecord:
    return one_within(records(user=user), user=user, pk=pk)


@dataclass
class OverviewRow:
    unit: OrgUnit | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(c, self.counts.get(c, 0)) for c in COLUMNS]

    @property
    def total(self) -> int:
        return sum(v for k, v in self.counts.items() if k in Status.values)


COLUMNS = [*Status.values[:5], "expiring", Status.MOVED_OUT.value]
COLUMN_LABELS = {**dict(Status.choices), "expiring": lazy(
    lambda: gettext("Expiring within %(days)s days") % {"days": EXPIRING_DAYS}, str)()}


def overview(*, user: User) -> tuple[list[OverviewRow], OverviewRow]:
    """Counts per college and status (plus stored records expiring within 30 days),
    with a total row; one grouped query."""
    today = timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    grouped = (records(user=user).order_by().values("person__org_unit", "status")
               .annotate(n=Count("id"), soon=Count("id", filter=Q(status=Status.STORED,
                                                                   storage_expiry__lte=soon))))
    rows: dict[int, OverviewRow] = {}
    total = OverviewRow(None, {c: 0 for c in COLUMNS})
    for g in grouped:
        row = rows.setdefault(g["person__org_unit"], OverviewRow(None, {c: 0 for c in COLUMNS}))
        row.counts[g["status"]] += g["n"]
        row.counts["expiring"] += g["soon"]
        total.counts[g["status"]] += g["n"]
        total.counts["expiring"] += g["soon"]
    units = OrgUnit.objects.in_bulk(list(rows))
    for pk, row in rows.items():
        row.unit = units.get(pk)
    ordered = sorted(rows.values(), key=lambda r: r.unit.name if r.unit else "")
    return ordered, total


def colleges(*, user: User) -> QuerySet[OrgUnit]:
    ids = records(user=user).order_by().values("person__org_unit").distinct()
    return OrgUnit.objects.filter(pk__in=ids).order_by("name")


# --- the applicant's own ----------------------------------------------------------------

def own_person(user: User) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(account=user).select_related("org_unit").first()


def own_record(user: User) -> HouseholdRecord | None:
    person = own_person(user)
    if person is None:
        return None
    return HouseholdRecord.objects.filter(person=person).select_related("person").first()


AUDIENCE = {Category.UNDERGRADUATE: "student", Category.GRADUATE: "student", Category.STAFF: "staff"}


def service_for(effect: str, person: Person | None) -> ServiceItem | None:
    """The published service that carries `effect` for this person's kind (students and
    staff may have different move-in services); None if the office has none open."""
    items = list(ServiceItem.objects.filter(is_published=True, current_version__isnull=False, effect=effect)
                 .order_by("code"))
    audience = AUDIENCE.get(person.category) if person else None
    for item in items:
        if audience in (item.audience or []):
            return item
    return items[0] if items else None


def active_agreement() -> WaiverAgreement | None:
    return WaiverAgreement.objects.filter(active=True).first()


def own_waiver(*, user: User, pk: int) -> Waiver:
    waiver = Waiver.objects.filter(pk=pk, person__account=user).select_related("person", "agreement").first()
    if waiver is None:
        raise refused(user, Waiver, pk)
    return waiver


def waiver_for_staff(*, user: User, pk: int) -> Waiver:
    people = scope(Person.objects.all(), user, Action.PEOPLE_VIEW, unit_field="org_unit")
    waiver = (Waiver.objects.filter(pk=pk, person__in=people).select_related("person", "agreement").first())
    if waiver is None:
        raise refused(user, Waiver, pk)
    return waiver
