"""Who a campaign goes to: its audience rule, read into the people it matches.

A rule is data on the campaign (kept by a clone): person categories (学生/教职工), account
roles, unit subtrees, grades (the year of enrolment), programmes, household statuses, and
besides these an uploaded list of ID or student numbers or a saved cohort. Every
condition given must hold, and the sender's own reach bounds the whole: a counsellor's
campaign never reaches another college's students, whatever the rule says.

Programmes (专业) and classes (班级) are units of the org tree under a college (a person
record's unit is their class): a programme condition names units, matched by name
anywhere in the sender's reach, and takes every unit below them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.access import scope
from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Action
from tongban.hukou.models import HouseholdRecord
from tongban.lib import crypto
from tongban.lib.errors import ApplicationError
from tongban.people import idnumber
from tongban.people.models import Person

MAX_LIST_ROWS = 50_000
MAX_LIST_BYTES = 5 * 1024 * 1024


@dataclass
class Rule:
    categories: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    household: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: dict | None) -> Rule:
        data = data or {}
        return cls(categories=[str(v) for v in data.get("categories", [])],
                   roles=[str(v) for v in data.get("roles", [])],
                   units=[int(v) for v in data.get("units", [])],
                   years=[int(v) for v in data.get("years", [])],
                   programmes=[str(v) for v in data.get("programmes", [])],
                   household=[str(v) for v in data.get("household", [])])

    def as_data(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    @property
    def empty(self) -> bool:
        return not self.as_data()


def _subtrees(units) -> Q:
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(org_unit__path__startswith=unit.path)
    return q


def people_for(*, sender: User, rule: Rule, list_campaign_id: int | None = None,
               cohort_id: int | None = None) -> QuerySet[Person]:
    """The people a rule matches within the sender's reach for campaigns, in a stable
    order (by id: a dispatch resumed goes on where it stopped)."""
    qs = scope(Person.objects.all(), sender, Action.CAMPAIGN_MANAGE)
    if rule.categories:
        qs = qs.filter(category__in=rule.categories)
    if rule.roles:
        qs = qs.filter(Exists(Membership.objects.filter(user_id=OuterRef("account_id"), role__in=rule.roles)))
    if rule.units:
        qs = qs.filter(_subtrees(OrgUnit.objects.filter(pk__in=rule.units)))
    if rule.years:
        qs = qs.filter(enrolment_year__in=rule.years)
    if rule.programmes:
        qs = qs.filter(_subtrees(OrgUnit.objects.filter(name__in=rule.programmes)))
    if rule.household:
        qs = qs.filter(Exists(HouseholdRecord.objects.filter(person_id=OuterRef("pk"), status__in=rule.household)))
    if list_campaign_id is not None:
        from tongban.campaigns.models import ListRow

        qs = qs.filter(Exists(ListRow.objects.filter(campaign_id=list_campaign_id, person_id=OuterRef("pk"))))
    if cohort_id is not None:
        from tongban.campaigns.models import CohortMember

        qs = qs.filter(Exists(CohortMember.objects.filter(cohort_id=cohort_id, person_id=OuterRef("pk"))))
    return qs.order_by("pk")


# --- an uploaded list -------------------------------------------------------------------

@dataclass
class ListEntry:
    row: int
    value: str  # as shown: an ID number masked
    person_id: int | None
    problem: str = ""


def _cells(name: str, content: bytes) -> list[tuple[int, str]]:
    """(row number, first cell) of every non-empty row of an .xlsx or .csv file."""
    suffix = Path(name).suffix.lower()
    rows: list[tuple[int, str]] = []
    if suffix == ".csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("gb18030", errors="replace")
        for n, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            if values and values[0].strip():
                rows.append((n, values[0].strip()))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise ApplicationError("unreadable", _("The file cannot be read as an Excel workbook."),
                                   field="file") from None
        sheet = book.worksheets[0]
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            first = values[0] if values else None
            if first is not None and str(first).strip():
                rows.append((n, str(first).strip()))
    else:
        raise ApplicationError("file_type", _("Upload an .xlsx or .csv file."), field="file")
    if len(rows) > MAX_LIST_ROWS:
        raise ApplicationError("too_many_rows", _("At most %(count)s rows at a time") % {"count": MAX_LIST_ROWS},
                               field="file")
    return rows


def read_list(*, sender: User, name: str, content: bytes) -> list[ListEntry]:
    """Each row's person: an 18-character value is an ID number (found through the blind
    index), anything else a student or staff number. A row that names nobody in the
    sender's reach is kept with why (someone outside it is "not found": the list must
    not tell who exists elsewhere). A first row that names nobody is taken for a header."""
    if len(content) > MAX_LIST_BYTES:
        raise ApplicationError("file_too_large", _("The file is too large."), field="file")
    cells = _cells(name, content)
    reach = scope(Person.objects.all(), sender, Action.CAMPAIGN_MANAGE)
    ids: dict[str, None] = {}
    numbers: dict[str, None] = {}
    for _row, value in cells:
        normalised = idnumber.normalise(value)
        if len(normalised) == 18 and normalised[:17].isdigit():
            ids[crypto.blind_index(normalised, purpose="id")] = None
        else:
            numbers[value] = None
    by_index = dict(reach.filter(id_number_index__in=list(ids)).values_list("id_number_index", "pk")) if ids else {}
    by_number = dict(reach.filter(student_number__in=list(numbers)).values_list("student_number", "pk")) \
        if numbers else {}
    entries: list[ListEntry] = []
    seen: set[int] = set()
    for n, value in cells:
        normalised = idnumber.normalise(value)
        if len(normalised) == 18 and normalised[:17].isdigit():
            pk = by_index.get(crypto.blind_index(normalised, purpose="id"))
            shown = f"{normalised[:6]}********{normalised[-4:]}"
        else:
            pk, shown = by_number.get(value), value[:64]
        if pk is None:
            if n == cells[0][0] and not entries:
                continue  # a header row
            entries.append(ListEntry(n, shown, None, _("No such person among the people you may send to")))
        elif pk in seen:
            entries.append(ListEntry(n, shown, None, _("Listed twice: sent once")))
        else:
            seen.add(pk)
            entries.append(ListEntry(n, shown, pk))
    return entries
