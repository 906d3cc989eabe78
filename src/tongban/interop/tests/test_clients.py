"""Systems that call tongban: registered with scopes and a data scope, they take a
short-lived token by OAuth 2.0 client credentials, call with it and a purpose, and every
call is on the trail. Rotation keeps the old secret for an overlap; revocation is at once."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.interop import services
from tongban.interop.models import ApiClient
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict

TOKEN = "/api/oauth/token/"
PEOPLE = "/api/v1/system/people"


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _register(world, *, name="教务平台", scopes=("people:read",), units=None, rate=600):
    return services.register_client(actor=world.sysadmin, name=name, kind=ApiClient.Kind.EDUCATION,
                                    scopes=list(scopes), units=units if units is not None else [world.econ],
                                    rate_per_minute=rate)


def _token(client, api_client: ApiClient, secret: str, **extra):
    return client.post(TOKEN, {"grant_type": "client_credentials", **extra},
                       HTTP_AUTHORIZATION=_basic(api_client.client_id, secret))


def _bearer(client, api_client, secret) -> str:
    answer = _token(client, api_client, secret)
    assert answer.status_code == 200, answer.content
    return answer.json()["access_token"]


def _get(client, path, token, purpose="核对在校生身份"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if purpose:
        headers["HTTP_X_PURPOSE"] = purpose
    return client.get(path, **headers)


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


def test_a_system_takes_a_short_lived_token_and_reads_its_units_people_masked(world, client):
    econ_student = world.person(name="王同学", unit=world.econ, student_number="S2025001")
    world.person(name="赵同学", unit=world.law, student_number="S2025002")
    api_client, secret = _register(world)
    answer = _token(client, api_client, secret)
    assert answer.status_code == 200
    assert answer.json()["expires_in"] <= 600 and answer.json()["scope"] == "people:read"

    page = _get(client, PEOPLE, answer.json()["access_token"]).json()
    names = {p["name"] for p in page["items"]}
    assert "王同学" in names and "赵同学" not in names  # law is outside its data scope
    row = next(p for p in page["items"] if p["name"] == "王同学")
    assert row["id_number"] == econ_student.id_number_masked and row["id_number_masked"] is True
    assert econ_student.plain_id_number() not in str(page)


def test_full_id_numbers_leave_only_with_their_scope(world, client):
    person = world.person(name="王同学", unit=world.econ, student_number="S2025001")
    api_client, secret = _register(world, scopes=["people:read", "people:read_id"])
    row = _get(client, f"{PEOPLE}/S2025001", _bearer(client, api_client, secret)).json()
    assert row["id_number"] == person.plain_id_number() and row["id_number_masked"] is False


def test_a_person_outside_the_data_scope_is_not_found(world, client):
    world.person(name="赵同学", unit=world.law, student_number="S2025002")
    api_client, secret = _register(world)
    assert _get(client, f"{PEOPLE}/S2025002", _bearer(client, api_client, secret)).status_code == 404


def test_every_call_is_on_the_trail_with_client_and_purpose(world, client):
    world.person(name="王同学", unit=world.econ, student_number="S2025001")
    api_client, secret = _register(world)
    token = _bearer(client, api_client, secret)
    assert _get(client, f"{PEOPLE}/S2025001", token, purpose="门禁开通核验").status_code == 200
    entry = AuditEntry.objects.filter(action="interop.call").latest("seq")
    assert entry.details["purpose"] == "门禁开通核验" and entry.details["client_id"] == api_client.client_id
    assert entry.object_id == str(api_client.pk)


def test_a_call_without_a_purpose_is_refused_naming_the_header(world, client):
    api_client, secret = _register(world)
    answer = _get(client, PEOPLE, _bearer(client, api_client, secret), purpose="")
    assert answer.status_code == 422
    assert answer.json()["code"] == "purpose_required" and answer.json()["field"] == "X-Purpose"


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_no_token_or_a_made_up_one_is_401_in_the_api_shape(world, client, token):
    answer = client.get(PEOPLE, **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}))
    assert answer.status_code == 401
    assert answer.json()["code"] in {"invalid_token", "login_required"}


def test_a_token_without_the_scope_is_403_and_on_the_trail(world, client):
    api_client, secret = _register(world, scopes=["events:receive"])
    answer = _get(client, PEOPLE, _bearer(client, api_client, secret))
    assert answer.status_code == 403 and answer.json()["code"] == "insufficient_scope"
    assert AuditEntry.objects.filter(action="interop.call_refused", object_id=str(api_client.pk)).exists()


def test_a_token_cannot_carry_a_scope_the_client_was_not_granted(world, client):
    api_client, secret = _register(world, scopes=["people:read"])
    answer = _token(client, api_client, secret, scope="people:read people:read_id")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"


def test_an_expired_token_is_refused(world, client):
    from oauth2_provider.models import AccessToken

    api_client, secret = _register(world)
    token = _bearer(client, api_client, secret)
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert _get(client, PEOPLE, token).status_code == 401


def test_a_wrong_secret_gets_no_token(world, client):
    api_client, _secret = _register(world)
    assert _token(client, api_client, "guessed").status_code == 401


def test_revoking_shuts_the_client_out_at_once(world, client):
    api_client, secret = _register(world)
    token = _bearer(client, api_client, secret)
    services.revoke_client(actor=world.sysadmin, client=api_client, reason="系统下线")
    assert _get(client, PEOPLE, token).status_code == 401
    assert _token(client, api_client, secret).status_code == 401
    with pytest.raises(StateConflict):
        services.revoke_client(actor=world.sysadmin, client=api_client, reason="再次")


def test_rotation_keeps_the_old_secret_for_the_overlap_only(world, client):
    api_client, old = _register(world)
    new = services.rotate_secret(actor=world.sysadmin, client=api_client, overlap_hours=24)
    assert new != old
    assert _token(client, api_client, new).status_code == 200
    assert _token(client, api_client, old).status_code == 200  # within the overlap
    ApiClient.objects.filter(pk=api_client.pk).update(previous_secret_until=timezone.now() - dt.timedelta(seconds=1))
    assert _token(client, api_client, old).status_code == 401
    assert _token(client, api_client, new).status_code == 200


def test_rotation_without_overlap_closes_the_old_secret_at_once(world, client):
    api_client, old = _register(world)
    services.rotate_secret(actor=world.sysadmin, client=api_client, overlap_hours=0)
    assert _token(client, api_client, old).status_code == 401


def test_a_flooding_client_gets_429_and_another_is_unaffected(world, client, monkeypatch):
    from tongban.interop import auth

    monkeypatch.setattr(auth, "_window", lambda: "one minute")  # no minute may turn mid-test
    flood, flood_secret = _register(world, name="数据中心", rate=3)
    calm, calm_secret = _register(world, name="门禁系统")
    flood_token, calm_token = _bearer(client, flood, flood_secret), _bearer(client, calm, calm_secret)
    statuses = [_get(client, PEOPLE, flood_token).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert _get(client, PEOPLE, calm_token).status_code == 200


def test_only_the_system_administrator_registers_and_only_known_scopes(world):
    with pytest.raises(NotAllowed):
        services.register_client(actor=world.officer, name="x", kind="gate", scopes=["people:read"], units=[])
    with pytest.raises(ApplicationError) as refused:
        _register(world, scopes=["people:write_everything"])
    assert refused.value.field == "scopes"
    with pytest.raises(ApplicationError) as refused:
        _register(world, scopes=[])
    assert refused.value.field == "scopes"
    assert not ApiClient.objects.exists()


def test_the_register_page_shows_the_secret_once(world, login):
    client = login(world.sysadmin)
    answer = client.post("/workbench/interop/", {"name": "门禁系统", "kind": "gate", "scopes": ["people:read"],
                                                 "units": [world.econ.pk], "rate_per_minute": 60})
    assert answer.status_code == 200
    secret = answer.context["secret"]
    assert secret in answer.content.decode() and "只显示这一次" in answer.content.decode()
    registered = ApiClient.objects.get(name="门禁系统")
    assert registered.application.client_secret != secret  # only its hash is kept
    detail = client.get(f"/workbench/interop/{registered.pk}/").content.decode()
    assert secret not in detail and registered.client_id in detail


def test_the_register_page_names_each_bad_field_and_keeps_the_input(world, login):
    client = login(world.sysadmin)
    answer = client.post("/workbench/interop/", {"name": "门禁系统", "kind": "gate", "rate_per_minute": "0"})
    assert answer.status_code == 400
    form = answer.context["form"]
    assert set(form.errors) == {"scopes", "rate_per_minute"}
    assert 'value="门禁系统"' in answer.content.decode()
    assert not ApiClient.objects.exists()


def test_the_pages_are_refused_to_other_staff(world, login):
    api_client, _secret = _register(world)
    client = login(world.officer)
    assert client.get("/workbench/interop/").status_code == 403
    assert client.post(f"/workbench/interop/{api_client.pk}/revoke/", {"reason": "x"}).status_code in {403, 404}
    api_client.refresh_from_db()
    assert api_client.is_active


def test_revoke_and_rotate_through_the_pages(world, login):
    api_client, _secret = _register(world)
    client = login(world.sysadmin)
    answer = client.post(f"/workbench/interop/{api_client.pk}/rotate/", {"overlap_hours": "99"})
    assert answer.status_code == 400 and "overlap_hours" in answer.context["rotate"].errors
    answer = client.post(f"/workbench/interop/{api_client.pk}/rotate/", {"overlap_hours": "1"})
    assert answer.status_code == 200 and answer.context["secret"]
    answer = client.post(f"/workbench/interop/{api_client.pk}/revoke/", {"reason": ""})
    assert answer.status_code == 400 and "reason" in answer.context["revoke"].errors
    answer = client.post(f"/workbench/interop/{api_client.pk}/revoke/", {"reason": "合同到期"})
    assert answer.status_code == 302
    api_client.refresh_from_db()
    assert not api_client.is_active and api_client.revoked_reason == "合同到期"
