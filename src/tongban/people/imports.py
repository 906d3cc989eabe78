"""Importing people from a spreadsheet: the service behind `tongban import-people` and
the workbench's import page.

Every row is checked whole before anything is written; rows are written in chunks, each
chunk one transaction with its audit entries, so a row is never half written and a
killed import leaves only whole chunks behind. Re-running a file updates the people it
created (keyed on the ID number's blind index) instead of adding them again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.accounts.access import Scope, authorize, scope_of
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Action
from tongban.audit.services import Event, record, record_many
from tongban.lib import crypto
from tongban.lib.errors import ApplicationError
from tongban.lib.masking import mask_id_number, mask_phone
from tongban.people import idnumber
from tongban.people.models import Category, Person
from tongban.people.reading import REQUIRED, Sheet, open_sheet
from tongban.people.signals import people_created

CHUNK = 1000
# What a sheet may write for a category besides its label (the labels are read when a file is,
# in the language then active: a dict keyed by lazy labels at import time would freeze them).
CATEGORY_SYNONYMS = {
    "硕士研究生": Category.GRADUATE, "博士研究生": Category.GRADUATE, "教师": Category.STAFF,  # i18n: data
    "职工": Category.STAFF,  # i18n: data
}
NEEDS_NUMBER = {Category.UNDERGRADUATE, Category.GRADUATE, Category.STAFF}
PHONE_COLUMNS = ("phone_enc", "phone_index", "phone_masked")


@dataclass
class Problem:
    row: int
    field: str  # the column's header as written in the file
    value: str  # masked when it is an ID or phone number
    error: str
    warning: bool = False


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def report_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["row", "field", "value", "error"])
        for p in sorted(self.problems, key=lambda p: p.row):
            writer.writerow([p.row, p.field, p.value, (_("Warning: ") if p.warning else "") + p.error])
        return out.getvalue()


@dataclass(slots=True)
class _Row:
    row: int
    name: str
    id: idnumber.IdNumber
    id_index: str
    student_number: str
    org_unit: OrgUnit
    category: str
    enrolment_year: int | None
    phone: str


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Checker:
    """Turns raw cells into a _Row or Problems; remembers what the file already had."""

    def __init__(self, actor: User, sheet: Sheet, outcome: Outcome):
        self.sheet = sheet
        self.outcome = outcome
        self.scope = scope_of(actor, Action.PEOPLE_IMPORT)
        self.units: dict[str, OrgUnit | None] = {}
        self.seen_ids: dict[str, int] = {}
        self.seen_numbers: dict[str, int] = {}
        self.categories = {str(label): value for value, label in Category.choices} | CATEGORY_SYNONYMS
        self.today = dt.date.today()  # noqa: DTZ011 - a civil date is meant

    def _cell(self, values: list, key: str) -> object:
        position = self.sheet.columns.get(key)
        if position is None or position >= len(values):
            return None
        return values[position]

    def _problem(self, row: int, key: str, value: str, error: str, warning: bool = False):
        header = self.sheet.header_names.get(key, REQUIRED.get(key, key))
        self.outcome.problems.append(Problem(row, header, value, error, warning))

    def _unit(self, name: str) -> OrgUnit | None:
        if name not in self.units:
            found = [u for u in OrgUnit.objects.filter(name=name, is_active=True)
                     if self.scope.covers_unit(u)]
            if not found:
                found = [u for u in OrgUnit.objects.filter(code=name, is_active=True)
                         if self.scope.covers_unit(u)]
            self.units[name] = found[0] if len(found) == 1 else None
        return self.units[name]

    def check(self, row: int, values: list) -> _Row | None:
        """A whole row, or None with its problems noted: every cell is checked, so one pass
        over the file names every problem of every row."""
        texts = [_text(v) for v in values]
        if not any(texts):
            return None  # blank line: skipped silently, as Excel users expect
        cells = {key: texts[position] for key, position in self.sheet.columns.items() if position < len(texts)}
        if not self._no_nul(row, cells):
            return None
        checks = (self._name(row, cells), self._id_number(row, values, cells), self._category(row, cells))
        name, (parsed, id_index), category = (value for value, _ in checks)
        number, number_ok = self._number(row, cells, category)
        unit, unit_ok = self._org_unit(row, cells)
        year, year_ok = self._year(row, cells)
        phone, phone_ok = self._phone(row, cells)
        if not (all(ok for _, ok in checks) and number_ok and unit_ok and year_ok and phone_ok):
            return None
        return _Row(row, name, parsed, id_index, number, unit, category, year, phone)

    # Each step checks one column and returns (value, ok), noting its problems.

    def _no_nul(self, row: int, cells: dict[str, str]) -> bool:
        # A NUL is never data (Excel does not write one; a damaged CSV may), and
        # PostgreSQL refuses it in text, which would stop the import halfway.
        clean = True
        for key, text in cells.items():
            if "\x00" in text:
                self._problem(row, key, "", _("Contains a NUL character; the file may be damaged"))
                clean = False
        return clean

    def _name(self, row: int, cells: dict[str, str]) -> tuple[str, bool]:
        name = cells.get("name", "")
        if not name:
            self._problem(row, "name", "", _("The name is required"))
            return name, False
        if len(name) > 64:
            self._problem(row, "name", name[:20], _("The name is too long (64 characters at most)"))
            return name, False
        return name, True

    def _id_number(self, row: int, values: list, cells: dict[str, str]
                   ) -> tuple[tuple[idnumber.IdNumber | None, str], bool]:
        raw_id = self._cell(values, "id_number")
        if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            self._problem(row, "id_number", mask_id_number(_text(raw_id)),
                          _("Excel stored the ID number as a number and its last digits may be lost; "
                            "set the column to text and enter it again"))
            return (None, ""), False
        text = cells.get("id_number", "")
        try:
            parsed = idnumber.parse(text, today=self.today)
        except ApplicationError as exc:
            self._problem(row, "id_number", mask_id_number(idnumber.normalise(text)), exc.message)
            return (None, ""), False
        for warning in parsed.warnings:
            self._problem(row, "id_number", mask_id_number(parsed.number), warning, warning=True)
        id_index = crypto.blind_index(parsed.number, purpose="id")
        first = self.seen_ids.get(id_index)
        if first:
            self._problem(row, "id_number", mask_id_number(parsed.number),
                _("The same ID number as row %(row)s") % {"row": first})
            return (parsed, id_index), False
        self.seen_ids[id_index] = row
        return (parsed, id_index), True

    def _category(self, row: int, cells: dict[str, str]) -> tuple[str | None, bool]:
        text = cells.get("category", "")
        category = self.categories.get(text)
        if category is None:
            allowed = pgettext("enumeration", ", ").join(str(label) for _value, label in Category.choices)
            self._problem(row, "category", text,
                _("The person category should be one of: %(allowed)s")
                    % {"allowed": allowed} if text else _("The person category is required"))
            return None, False
        return category, True

    def _number(self, row: int, cells: dict[str, str], category: str | None) -> tuple[str, bool]:
        number = cells.get("student_number", "")
        if not number:
            if category in NEEDS_NUMBER:
                self._problem(row, "student_number", "", _("The student or staff number is required"))
                return number, False
            return number, True
        if len(number) > 32:
            self._problem(row, "student_number", number[:32],
                _("The student or staff number is too long (32 characters at most)"))
            return number, False
        first = self.seen_numbers.get(number)
        if first:
            self._problem(row, "student_number", number,
                _("The same student or staff number as row %(row)s") % {"row": first})
            return number, False
        self.seen_numbers[number] = row
        return number, True

    def _org_unit(self, row: int, cells: dict[str, str]) -> tuple[OrgUnit | None, bool]:
        name = cells.get("org_unit", "")
        unit = self._unit(name) if name else None
        if unit is None:
            self._problem(row, "org_unit", name,
                          _("No unit \"%(name)s\", or you may not import its people")
                              % {"name": name} if name else _("The college or unit is required"))
            return None, False
        return unit, True

    def _year(self, row: int, cells: dict[str, str]) -> tuple[int | None, bool]:
        text = cells.get("enrolment_year", "")
        if not text:
            return None, True
        if text.isdigit() and 1950 <= int(text) <= self.today.year + 1:
            return int(text), True
        self._problem(row, "enrolment_year", text,
            _("The year of enrolment should be a four-digit year from 1950 to %(last)s")
                % {"last": self.today.year + 1})
        return None, False

    def _phone(self, row: int, cells: dict[str, str]) -> tuple[str, bool]:
        phone = "".join(cells.get("phone", "").split()).removeprefix("+86")
        if phone and not (len(phone) == 11 and phone.isdigit() and phone[0] == "1"):
            self._problem(row, "phone", mask_phone(phone), _("The mobile number should be 11 digits starting with 1"))
            return phone, False
        return phone, True


# A new person's columns, in the order _insert_people gives their values.
NEW_PERSON_FIELDS = ("name", "id_number_enc", "id_number_index", "id_number_masked", "gender", "birth_date",
                     "region_code", "category", "student_number", "org_unit", "enrolment_year", "phone_enc",
                     "phone_index", "phone_masked", "created_at", "updated_at")


def _insert_people(rows: list[_Row], now: dt.datetime) -> dict[str, int]:
    """Write new people and return their ids by ID blind index.

    Plain SQL rather than bulk_create, as audit.services does for the trail: compiling
    bulk_create's SQL value by value cost more than encrypting and writing the rows
    (bench/import_people.py). The ids come without a second lookup by blind index:
    PostgreSQL hands them out from the table's sequence before a COPY (parsed once,
    where each statement of an executemany is parsed and planned on its own); SQLite,
    the only other database tongban runs on, holds its write lock for the whole
    transaction, so the rows past the highest id before the insert are these.
    """
    meta = Person._meta
    quote = connection.ops.quote_name
    table, id_column = quote(meta.db_table), quote(meta.pk.column)
    index_column = quote(meta.get_field("id_number_index").column)
    columns = ", ".join(quote(meta.get_field(name).column) for name in NEW_PERSON_FIELDS)
    stamp = meta.get_field("created_at").get_db_prep_save(now, connection)
    adapt_date = connection.ops.adapt_datefield_value
    values = [(r.name, crypto.encrypt(r.id.number), r.id_index, mask_id_number(r.id.number), r.id.gender,
               adapt_date(r.id.birth_date), r.id.region_code, r.category, r.student_number, r.org_unit.pk,
               r.enrolment_year, crypto.encrypt(r.phone), crypto.blind_index(r.phone, purpose="phone"),
               mask_phone(r.phone), stamp, stamp) for r in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]
            with cursor.copy(f"COPY {table} ({id_column}, {columns}) FROM STDIN") as copy:
                for pk, row in zip(ids, values, strict=True):
                    copy.write_row((pk, *row))
            return {r.id_index: pk for r, pk in zip(rows, ids, strict=True)}
        cursor.execute(f"SELECT COALESCE(MAX({id_column}), 0) FROM {table}")
        (before,) = cursor.fetchone()
        placeholders = ", ".join(["%s"] * len(NEW_PERSON_FIELDS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)
        cursor.execute(f"SELECT {index_column}, {id_column} FROM {table} WHERE {id_column} > %s", [before])
        return dict(cursor.fetchall())


@dataclass
class _Plan:
    """What one chunk will write: new people, and known people with the fields that changed."""

    creates: list[_Row] = field(default_factory=list)
    updates: list[tuple[Person, list[str]]] = field(default_factory=list)


# What a chunk's lookup reads of each known person: tuples, not model instances (building
# a Person and its unit for each of 1,000 rows cost more than the query; bench/import_people.py).
KNOWN_FIELDS = ("pk", "id_number_index", "student_number", "name", "category", "org_unit_id", "enrolment_year",
                "phone_index", "org_unit__path")
COMPARED = ("name", "category", "student_number", "org_unit_id", "enrolment_year")


def _known_people(rows: list[_Row]) -> tuple[dict[str, tuple], dict[str, str]]:
    """One query for the people these rows are and for whoever holds their student numbers
    (unordered, or the model's ordering would join and sort for nothing): people (as
    KNOWN_FIELDS tuples) by ID blind index, and the blind index of each student number's holder."""
    numbers = [r.student_number for r in rows if r.student_number]
    known = list(Person.objects.filter(Q(id_number_index__in=[r.id_index for r in rows])
                                       | Q(student_number__in=numbers))
                 .order_by().values_list(*KNOWN_FIELDS))
    return ({k[1]: k for k in known}, {k[2]: k[1] for k in known if k[2]})


def _changes(known: tuple, r: _Row, now: dt.datetime) -> tuple[Person, list[str]] | None:
    """The person as the row would change them (only the changed fields set, for
    bulk_update) and the fields that changed; None when nothing did."""
    new = {"name": r.name, "category": r.category, "student_number": r.student_number,
           "org_unit_id": r.org_unit.pk, "enrolment_year": r.enrolment_year}
    old = dict(zip(KNOWN_FIELDS, known, strict=True))
    changed = [k for k in COMPARED if old[k] != new[k]]
    person = Person(pk=known[0], **{k: new[k] for k in changed})
    phone_index = crypto.blind_index(r.phone, purpose="phone")
    if r.phone and phone_index != old["phone_index"]:
        person.phone_enc = crypto.encrypt(r.phone)
        person.phone_index = phone_index
        person.phone_masked = mask_phone(r.phone)
        changed.append("phone")
    if not changed:
        return None
    person.name = r.name  # for the entry's summary, whether or not the name changed
    person.updated_at = now  # bulk_update does not apply auto_now: say when the person last changed
    return person, changed


def _covers(scope: Scope, known: tuple, units: dict[int, bool]) -> bool:
    """Whether the known person's unit lies within the actor's reach (asked once per unit)."""
    unit_id = known[5]
    if unit_id not in units:
        units[unit_id] = scope.covers_unit(OrgUnit(id=unit_id, path=known[8]))
    return units[unit_id]


def _plan_chunk(scope: Scope, rows: list[_Row], outcome: Outcome, headers: dict[str, str],
                now: dt.datetime) -> _Plan:
    """Sorts a chunk's rows into new people, changed ones and unchanged ones, and refuses a row
    whose student number another person holds or whose person lies outside the actor's reach."""
    existing, holders = _known_people(rows)
    units: dict[int, bool] = {}
    plan = _Plan()
    for r in rows:
        holder = holders.get(r.student_number)
        if holder and holder != r.id_index:
            outcome.problems.append(Problem(r.row, headers["student_number"], r.student_number,
                                            _("This student or staff number belongs to another person")))
            continue
        known = existing.get(r.id_index)
        if known is None:
            plan.creates.append(r)
        elif not _covers(scope, known, units):
            outcome.problems.append(Problem(r.row, headers["id_number"], mask_id_number(r.id.number),
                                            _("This person is registered in a unit outside your reach")))
        elif change := _changes(known, r, now):
            plan.updates.append(change)
        else:
            outcome.unchanged += 1
    outcome.created += len(plan.creates)
    outcome.updated += len(plan.updates)
    return plan


def _update_people(updates: list[tuple[Person, list[str]]]) -> None:
    """Only the columns that changed, people grouped by which: bulk_update writes one CASE
    per column over the whole batch, and rewriting every updatable column for a changed
    name cost about 2 ms a row (bench/import_people.py)."""
    groups: dict[tuple[str, ...], list[Person]] = {}
    for person, changed in updates:
        columns = {"updated_at"}
        for c in changed:
            columns.update(PHONE_COLUMNS if c == "phone" else (c,))
        groups.setdefault(tuple(sorted(columns)), []).append(person)
    for columns, people in groups.items():
        Person.objects.bulk_update(people, columns, batch_size=500)


def _write_chunk(actor: User, scope: Scope, rows: list[_Row], outcome: Outcome, dry_run: bool,
                 headers: dict[str, str]) -> None:
    """Plans a chunk, then (unless a dry run) writes it in one transaction with its entries."""
    now = timezone.now()
    plan = _plan_chunk(scope, rows, outcome, headers, now)
    if dry_run or not (plan.creates or plan.updates):
        return
    with transaction.atomic():
        ids = _insert_people(plan.creates, now) if plan.creates else {}
        _update_people(plan.updates)
        created, updated = _("Imported new person %(name)s"), _("Import updated person %(name)s")  # once a chunk
        events = [Event("people.create", created % {"name": r.name}, "people.person", str(ids[r.id_index]),
                        {"via": "import"}) for r in plan.creates]
        events += [Event("people.update", updated % {"name": p.name}, "people.person", str(p.pk),
                         {"via": "import", "fields": sorted(c.removesuffix("_id") for c in changed)})
                   for p, changed in plan.updates]
        record_many(actor=actor, events=events)
        if ids:
            people_created.send(sender=Person, ids=list(ids.values()))


def import_people(
    *,
    actor: User,
    path: Path,
    dry_run: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
) -> Outcome:
    """Import (or with `dry_run`, only check) the people in the file at `path`.

    Raises UnreadableFile — nothing written — when the file cannot be read or lacks a
    required header; otherwise returns the counts and every problem by row and column.
    A CSV that breaks off mid-way (an unpaired quote swallowing the rest) also raises
    it, after any whole chunks before the break were written; re-running the mended
    file is safe.
    Refuses an actor without people.import; rows whose unit lies outside the actor's
    reach are reported, not imported.
    """
    authorize(actor, Action.PEOPLE_IMPORT)
    sheet = open_sheet(Path(path))
    outcome = Outcome()
    checker = _Checker(actor, sheet, outcome)
    pending: list[_Row] = []
    seen = 0
    for row, values in sheet.rows:
        seen += 1
        checked = checker.check(row, values)
        if checked is not None:
            pending.append(checked)
        if len(pending) >= CHUNK:
            _write_chunk(actor, checker.scope, pending, outcome, dry_run, sheet.header_names)
            pending = []
        if progress and seen % CHUNK == 0:
            progress(seen, sheet.total)
    if pending:
        _write_chunk(actor, checker.scope, pending, outcome, dry_run, sheet.header_names)
    outcome.total = seen
    if progress:
        progress(seen, seen)
    if not dry_run:
        with transaction.atomic():
            record(actor=actor, action="people.import", object_type="people.import",
                   summary=_("Imported people file %(name)s") % {"name": Path(path).name},
                   details={"rows": seen, "created": outcome.created, "updated": outcome.updated,
                            "errors": len(outcome.errors)})
    return outcome
