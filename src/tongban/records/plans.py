"""What a case must have captured, by when, and what it has: its sub-item of the
household business catalog (frozen in its archive file at its first capture, else
the current version's), or, for a service the catalog does not name, the service's own
materials (captured the same way, with no rule on approval)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.models import Case
from tongban.catalog import workdays
from tongban.records.models import Capture, CaseFile, CatalogVersion


def current_sub_item(case: Case) -> tuple[CatalogVersion | None, dict | None]:
    """The latest published version and the sub-item in it that names the case's service."""
    version = CatalogVersion.objects.order_by("-number").first()
    if version is None:
        return None, None
    for category in version.config["categories"]:
        for sub_item in category["sub_items"]:
            if sub_item.get("service") == case.item_id:
                return version, {**sub_item, "category": category["name"]}
    return version, None


def sub_item_of(case: Case) -> dict | None:
    """The sub-item the case follows: its archive file's, else the current version's."""
    frozen = CaseFile.objects.filter(case=case).values_list("sub_item", flat=True).first()
    if frozen is not None:
        return frozen
    return current_sub_item(case)[1]


def capture_items(case: Case, sub_item: dict | None = None) -> list[dict]:
    """The case's capture list in order: the sub-item's, or the service's materials."""
    sub_item = sub_item if sub_item is not None else sub_item_of(case)
    if sub_item is not None:
        return sorted(sub_item["captures"], key=lambda e: e.get("order", 0))
    return [{"key": m["key"], "name": m["name"], "order": n, "due_days": 0, "required": False}
            for n, m in enumerate(case.config.get("materials", []), 1)]


def due_date(case: Case, entry: dict) -> date | None:
    """By when the item is due: `due_days` working days after acceptance (0: the day of
    acceptance); none before the case is accepted."""
    if case.accepted_at is None:
        return None
    accepted = timezone.localdate(case.accepted_at)
    days = int(entry.get("due_days", 0) or 0)
    return workdays.add_working_days(accepted, days, unit=case.org_unit) if days else accepted


def subject_of(case: Case):
    if case.subject_person_id:
        return case.subject_person
    from tongban.people.selectors import own_person

    return own_person(user=case.applicant)


@dataclass
class Row:
    entry: dict
    due: date | None
    current: Capture | None
    history: list[Capture] = field(default_factory=list)
    state: str = "missing"  # captured, late (captured past due), missing, overdue (missing past due)

    @property
    def label(self) -> str:
        return {"captured": _("Captured"), "late": _("Captured late"), "missing": _("Missing"),
                "overdue": _("Missing, past its time limit")}[self.state]


def capture_list(case: Case, *, today: date | None = None) -> dict:
    """The case's capture list with each item's state, its current capture and the
    ones it superseded; the portrait; and the required items missing."""
    today = today or timezone.localdate()
    sub_item = sub_item_of(case)
    captures = list(Capture.objects.filter(case=case).select_related("captured_by").order_by("-captured_at", "-id"))
    rows = []
    for entry in [*capture_items(case, sub_item)]:
        mine = [c for c in captures if c.item_key == entry["key"]]
        current = next((c for c in mine if c.superseded_at is None), None)
        row = Row(entry=entry, due=due_date(case, entry), current=current,
                  history=[c for c in mine if c is not current])
        if current is not None:
            row.state = "late" if current.late else "captured"
        elif row.due is not None and today > row.due:
            row.state = "overdue"
        rows.append(row)
    portrait = [c for c in captures if c.item_key == "portrait"]
    return {"sub_item": sub_item, "rows": rows,
            "portrait": next((c for c in portrait if c.superseded_at is None), None),
            "portrait_history": [c for c in portrait if c.superseded_at is not None],
            "missing": [r.entry for r in rows if r.current is None and r.entry.get("required", True)],
            "governed": sub_item is not None}


def missing_required(case: Case) -> list[dict]:
    """The required items of the case's sub-item without a current capture (none for a
    service the catalog does not name)."""
    sub_item = sub_item_of(case)
    if sub_item is None:
        return []
    have = set(Capture.objects.filter(case=case, superseded_at__isnull=True).values_list("item_key", flat=True))
    return [e for e in capture_items(case, sub_item) if e.get("required", True) and e["key"] not in have]
