"""The back office keeps scopes and the trail: a university service admin changes,
previews and publishes only the university's services, never a police station's;
publishing is a POST; every change of catalog data through the admin is on the
tamper-evident trail."""

import pytest

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.audit.models import AuditEntry
from tongban.catalog.models import Closure, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish, save_item
from tongban.lib.errors import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def station_service(world):
    """A police station's service, published: not the university's to touch."""
    item = ServiceItem.objects.create(code="station-proof", name="派出所证明", org_unit=world.east_1,
                                      serial_prefix="PC", needs_acceptance=False)
    Step.objects.create(item=item, stage=1, key="window", name="窗口办理", role=Role.CLERK,
                        unit_rule=UnitRule.SERVICE_UNIT)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


def _change_data(client, item) -> dict:
    """The change form's own data, as the browser would send it back."""
    page = client.get(f"/admin/catalog/serviceitem/{item.pk}/change/")
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, list | dict)}
    data.update({"audience": "[]", "ways": "[]", "org_unit": item.org_unit_id})
    for bools in ("needs_acceptance", "booking_required"):
        if form.initial.get(bools):
            data[bools] = "on"
        else:
            data.pop(bools, None)
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = len(fs.forms)
        data[f"{fs.prefix}-INITIAL_FORMS"] = fs.initial_form_count()
        for i, f in enumerate(fs.forms):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if isinstance(value, bool):
                    if value:
                        data[f"{fs.prefix}-{i}-{name}"] = "on"
                    continue
                data[f"{fs.prefix}-{i}-{name}"] = "" if value is None else value
    return data


def test_a_university_service_admin_cannot_open_or_rename_a_stations_service(service_admin, station_service,
                                                                              login):
    client = login(service_admin)
    assert client.get("/admin/catalog/serviceitem/").status_code == 200
    listed = client.get("/admin/catalog/serviceitem/").context["cl"].queryset
    assert station_service not in listed
    answer = client.get(f"/admin/catalog/serviceitem/{station_service.pk}/change/")
    assert answer.status_code == 302  # the admin's "no such object" redirect
    answer = client.post(f"/admin/catalog/serviceitem/{station_service.pk}/change/",
                         {"name": "被改掉的名字", "code": "station-proof", "org_unit": station_service.org_unit_id})
    assert answer.status_code == 302
    assert ServiceItem.objects.get(pk=station_service.pk).name == "派出所证明"
    assert not AuditEntry.objects.filter(action="catalog.item_change").exists()


def test_a_service_admin_cannot_move_their_service_to_a_unit_they_do_not_manage(service_admin, draft, login,
                                                                                world):
    client = login(service_admin)
    data = _change_data(client, draft)
    data["org_unit"] = world.east_1.pk  # forged: not among the choices
    answer = client.post(f"/admin/catalog/serviceitem/{draft.pk}/change/", data)
    assert answer.status_code == 200 and answer.context["adminform"].form.errors["org_unit"]
    assert ServiceItem.objects.get(pk=draft.pk).org_unit == world.security


def test_the_service_refuses_a_change_outside_the_actors_units(service_admin, station_service):
    station_service.name = "被改掉的名字"
    with pytest.raises(NotAllowed):
        save_item(actor=service_admin, item=station_service, changed=["name"])
    assert ServiceItem.objects.get(pk=station_service.pk).name == "派出所证明"


def test_a_university_service_admin_cannot_preview_a_stations_draft(service_admin, station_service, login):
    assert login(service_admin).get(f"/catalog/preview/{station_service.pk}/").status_code == 404


def test_a_university_service_admin_cannot_publish_a_stations_service(service_admin, station_service, login):
    answer = login(service_admin).post(f"/admin/catalog/serviceitem/{station_service.pk}/publish/")
    assert answer.status_code == 403
    assert ServiceItem.objects.get(pk=station_service.pk).current_version.number == 1


def test_publishing_on_a_get_changes_nothing(service_admin, draft, login):
    answer = login(service_admin).get(f"/admin/catalog/serviceitem/{draft.pk}/publish/")
    assert answer.status_code == 405
    assert not ServiceItem.objects.get(pk=draft.pk).is_published


def test_publishing_without_the_csrf_token_is_refused(service_admin, draft, client):
    from django.test import Client

    forged = Client(enforce_csrf_checks=True)
    forged.force_login(service_admin)
    assert forged.post(f"/admin/catalog/serviceitem/{draft.pk}/publish/").status_code == 403
    assert not ServiceItem.objects.get(pk=draft.pk).is_published


def test_the_change_page_publishes_through_a_post_button(service_admin, draft, login):
    page = login(service_admin).get(f"/admin/catalog/serviceitem/{draft.pk}/change/").content.decode()
    assert f'formaction="/admin/catalog/serviceitem/{draft.pk}/publish/" formmethod="post"' in page
    assert f'href="/admin/catalog/serviceitem/{draft.pk}/publish/"' not in page


def test_an_admin_change_of_a_service_and_its_rows_is_on_the_trail(service_admin, draft, login):
    client = login(service_admin)
    data = _change_data(client, draft)
    data["name"] = "身份证补领"
    data["steps-0-name"] = "保卫处初审"
    data["materials-1-DELETE"] = "on"
    answer = client.post(f"/admin/catalog/serviceitem/{draft.pk}/change/", data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    item_entry = AuditEntry.objects.get(action="catalog.item_change")
    assert (item_entry.actor_id, item_entry.object_id) == (service_admin.pk, str(draft.pk))
    assert item_entry.details["changes"]["name"] == ["身份证补办", "身份证补领"]
    rows = [row for entry in AuditEntry.objects.filter(action="catalog.draft_rows") for row in entry.details["rows"]]
    assert {"table": "审批步骤", "key": "check", "act": "change",
            "changes": {"name": ["保卫处审核", "保卫处初审"]}} in rows
    assert {"table": "申请材料", "key": "old_card", "act": "delete"} in rows
    assert not draft.materials.filter(key="old_card").exists()


def test_adding_and_deleting_a_closure_in_the_admin_is_on_the_trail(service_admin, login, world):
    client = login(service_admin)
    answer = client.post("/admin/catalog/closure/add/", {"org_unit": world.security.pk, "start": "2026-12-07",
                                                         "end": "2026-12-08", "reason": "盘点"})
    assert answer.status_code == 302
    closure = Closure.objects.get()
    assert AuditEntry.objects.filter(action="catalog.closure_save", object_id=str(closure.pk)).exists()
    answer = client.post(f"/admin/catalog/closure/{closure.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302 and not Closure.objects.exists()
    assert AuditEntry.objects.filter(action="catalog.closure_delete", object_id=str(closure.pk)).exists()


def test_a_university_service_admin_cannot_close_a_police_station(service_admin, login, world):
    answer = login(service_admin).post("/admin/catalog/closure/add/", {
        "org_unit": world.east_1.pk, "start": "2026-12-07", "end": "2026-12-08", "reason": "伪造"})
    assert answer.status_code == 200 and answer.context["adminform"].form.errors["org_unit"]
    assert not Closure.objects.exists()


def test_a_stations_own_service_admin_may_change_the_stations_service(station_service, login, world):
    admin = create_user(actor=None, username="station_admin", password="x-long-password", display_name="所事项管理员")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    grant_role(actor=None, user=admin, role=Role.SERVICE_ADMIN, org_unit=world.east_1)
    client = login(admin)
    data = _change_data(client, station_service)
    data["name"] = "派出所证明（新）"
    assert client.post(f"/admin/catalog/serviceitem/{station_service.pk}/change/", data).status_code == 302
    assert ServiceItem.objects.get(pk=station_service.pk).name == "派出所证明（新）"


def test_a_service_admin_stops_their_own_service_with_a_post_and_not_a_stations(service_admin, draft, login,
                                                                                station_service):
    client = login(service_admin)
    publish(actor=None, item=draft)
    assert "停用" in client.get(f"/admin/catalog/serviceitem/{draft.pk}/change/").content.decode()
    assert client.get(f"/admin/catalog/serviceitem/{draft.pk}/unpublish/").status_code == 405
    assert ServiceItem.objects.get(pk=draft.pk).is_published
    answer = client.post(f"/admin/catalog/serviceitem/{draft.pk}/unpublish/", follow=True)
    assert "已停用《身份证补办》" in answer.content.decode()
    assert not ServiceItem.objects.get(pk=draft.pk).is_published
    assert AuditEntry.objects.filter(action="catalog.unpublish", actor_id=service_admin.pk).exists()
    assert client.post(f"/admin/catalog/serviceitem/{station_service.pk}/unpublish/").status_code == 403
    assert ServiceItem.objects.get(pk=station_service.pk).is_published
