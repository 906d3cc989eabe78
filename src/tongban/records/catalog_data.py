"""The household business catalog as shipped (data/household_business.json): 14
categories, 56 sub-items. Loaded by the data migration (with the migration's models)
and by `tongban household-business --load`; the codes are in the form of GB/T
39554.1-2020 (basic code: item type 2 digits, main item 5, sub-item 3; then the
business item, 3 digits) and stand until the province's published codes replace them
in the back office."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "household_business.json"


def shipped() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def load(category_model, sub_item_model, data: dict | None = None) -> tuple[int, int]:
    """Create the categories and sub-items `data` names and the database lacks (matched
    by category number and business item); rows already there are left as the office
    edited them. Returns (categories, sub-items) created."""
    data = data or shipped()
    made_categories = made_items = 0
    for n, entry in enumerate(data["categories"], 1):
        sub_items = entry["sub_items"]
        category, created = category_model.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"], "order": n,
                                          "basic_code": sub_items[0]["basic_code"] if sub_items else ""})
        made_categories += created
        for k, item in enumerate(sub_items, 1):
            _row, created = sub_item_model.objects.get_or_create(
                category=category, business_item=item["business_item"],
                defaults={"name": item["name"], "order": k, "approval_levels": item["approval_levels"],
                          "time_limit_days": item["time_limit_days"], "materials": item["materials"],
                          "captures": item["captures"]})
            made_items += created
    return made_categories, made_items


def snapshot(categories) -> dict:
    """The catalog as a version keeps it: every category with its sub-items (a
    queryset of categories with `sub_items` prefetched, or the migration's)."""
    return {"categories": [
        {"code": c.code, "name": c.name, "basic_code": c.basic_code,
         "sub_items": [{"id": s.pk, "business_item": s.business_item,
                        "service_code": f"{c.basic_code}-{s.business_item}",
                        "name": s.name, "approval_levels": s.approval_levels, "time_limit_days": s.time_limit_days,
                        "materials": s.materials, "captures": sorted(s.captures, key=lambda x: x.get("order", 0)),
                        "service": s.service_id}
                       for s in sorted(c.sub_items.all(), key=lambda s: (s.order, s.pk))]}
        for c in categories]}
