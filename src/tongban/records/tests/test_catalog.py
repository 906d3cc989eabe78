"""The catalog of household business: 14 categories, 56 sub-items as data, each with
its service code, materials, capture list, approval levels and time limit; edited only
through the services (on the trail), versioned, and printed by a command."""

import re

import pytest
from django.core.management import call_command

from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.records import services
from tongban.records.models import CaseFile, CatalogVersion, Category, Levels, SubItem
from tongban.records.plans import capture_items
from tongban.records.tests.conftest import pages

pytestmark = pytest.mark.django_db


def test_the_catalog_is_seeded_with_14_categories_and_56_sub_items():
    assert Category.objects.count() == 14
    assert SubItem.objects.count() == 56
    names = set(SubItem.objects.values_list("name", flat=True))
    assert {"当年出生", "补报出生", "收养", "非婚生育", "正常死亡注销", "夫妻投靠", "分户", "户籍证明",
            "遗失补领", "临时居民身份证申领"} <= names  # i18n: data
    assert CatalogVersion.objects.filter(number=1).exists()


def test_every_sub_item_has_a_code_materials_a_capture_list_levels_and_a_time_limit():
    codes = set()
    for s in SubItem.objects.select_related("category"):
        assert re.fullmatch(r"\d{10}-\d{3}", s.service_code), s.service_code
        codes.add(s.service_code)
        assert s.materials and all(m["name"] for m in s.materials)
        assert s.captures and all(c["key"] and c["name"] for c in s.captures)
        assert s.approval_levels in Levels.values and s.time_limit_days > 0
    assert len(codes) == 56
    assert set(SubItem.objects.values_list("approval_levels", flat=True)) == set(Levels.values)


def test_the_command_prints_the_catalog_as_a_table(capsys):
    call_command("household-business")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 + 56 + 1
    row = next(line for line in out if "\t当年出生\t" in line)  # i18n: data
    assert row.split("\t")[1] == "0700001000-001"
    assert "出生医学证明" in row  # i18n: data


def test_loading_again_adds_nothing_and_keeps_the_offices_edits(world):
    s = SubItem.objects.get(name="分户")  # i18n: data
    s.time_limit_days = 7
    services.save_sub_item(actor=world.sysadmin, sub_item=s, changed=["time_limit_days"])
    assert services.load_catalog(actor=None) == (0, 0)
    s.refresh_from_db()
    assert s.time_limit_days == 7


def test_a_sub_item_saved_is_on_the_trail_and_a_clerk_cannot_edit_it(world):
    s = SubItem.objects.get(name="分户")  # i18n: data
    s.time_limit_days = 9
    with pytest.raises(NotAllowed):
        services.save_sub_item(actor=world.clerk, sub_item=s, changed=["time_limit_days"])
    services.save_sub_item(actor=world.sysadmin, sub_item=s, changed=["time_limit_days"])
    entry = AuditEntry.objects.filter(action="records.sub_item_change").get()
    assert entry.details["fields"] == ["time_limit_days"]


def test_a_malformed_capture_list_is_refused_at_its_field(world):
    s = SubItem.objects.get(name="分户")  # i18n: data
    s.captures = [{"key": "Bad Key", "name": "x"}]
    with pytest.raises(ApplicationError) as refused:
        services.save_sub_item(actor=world.sysadmin, sub_item=s, changed=["captures"])
    assert refused.value.field == "captures"
    s.captures = [{"key": "a", "name": "x", "due_days": -1}]
    with pytest.raises(ApplicationError):
        services.save_sub_item(actor=world.sysadmin, sub_item=s, changed=["captures"])


def test_a_case_keeps_the_capture_list_of_the_version_it_was_bound_to(world, accepted, move_in):
    services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(1))
    bound = CaseFile.objects.get(case=accepted)
    s = SubItem.objects.get(service=move_in)
    s.captures = [*s.captures, {"key": "new-paper", "name": "新材料", "order": 99}]  # i18n: data
    services.save_sub_item(actor=world.sysadmin, sub_item=s, changed=["captures"])
    newer = services.publish_catalog(actor=world.sysadmin)
    assert newer.number > bound.version.number
    assert "new-paper" not in [e["key"] for e in capture_items(accepted)]


def test_the_back_office_saves_a_sub_item_through_the_service(world, login):
    s = SubItem.objects.get(name="分户")  # i18n: data
    world.sysadmin.is_staff = True
    world.sysadmin.save(update_fields=["is_staff"])
    client = login(world.sysadmin)
    page = client.get(f"/admin/records/subitem/{s.pk}/change/")
    assert page.status_code == 200
    form = {"category": s.category_id, "business_item": s.business_item, "name": s.name, "order": s.order,
            "approval_levels": "branch", "time_limit_days": 6, "materials": '[{"name": "居民户口簿"}]',  # i18n: data
            "captures": '[{"key": "x y", "name": "z"}]', "service": ""}
    refused = client.post(f"/admin/records/subitem/{s.pk}/change/", form)
    assert refused.status_code == 200 and "errornote" in refused.content.decode()
    form["captures"] = '[{"key": "book", "name": "户口簿", "order": 1}]'  # i18n: data
    saved = client.post(f"/admin/records/subitem/{s.pk}/change/", form)
    assert saved.status_code == 302
    s.refresh_from_db()
    assert (s.approval_levels, s.time_limit_days) == ("branch", 6)
    assert AuditEntry.objects.filter(action="records.sub_item_change", object_id=str(s.pk)).exists()
