"""Audience and eligibility through the API: `GET /services` lists a service to whom it
is for (anonymous callers: what visitors may see), a guide says whom it is for and
whether the caller may apply, and applying (a draft or one call) is refused with
`not_in_audience` for everyone else, nothing written. Creating a second draft of a
service is 409 `draft_open` with the open draft's id."""

import json

import pytest

from tongban.cases.models import Case, Status
from tongban.cases.tests.test_audience import MATRIX, open_to, personas  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def post(client, path, body=None):
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize(("who", "audience", "allowed"), MATRIX)
def test_the_list_the_search_the_guide_and_applying_follow_the_audience(personas, open_to, login, who,  # noqa: F811
                                                                        audience, allowed):
    open_to("aud-x", audience)
    client = login(personas[who])
    listed = client.get(f"{API}/services").json()
    assert ("aud-x" in [s["code"] for s in listed["items"]]) is allowed
    assert listed["count"] == len(listed["items"])
    found = client.get(f"{API}/services", {"q": "aud-x"}).json()
    assert [s["code"] for s in found["items"]] == (["aud-x"] if allowed else [])
    guide = client.get(f"{API}/services/aud-x").json()
    assert guide["may_apply"] is allowed and guide["audience"] == audience
    assert (guide["refusal"] is None) is allowed

    draft = post(client, "/services/aud-x/applications", {"answers": {}})
    single = post(client, "/services/aud-x/applications", {"answers": {}, "submit": True})
    if allowed:
        assert draft.status_code == 201 and single.status_code == 201
        assert single.json()["status"] == Status.SUBMITTED
        return
    assert guide["refusal"]["code"] == "not_in_audience" and "仅面向" in guide["refusal"]["message"]
    for refused in (draft, single):
        assert refused.status_code == 403 and refused.json()["code"] == "not_in_audience"
    assert not Case.objects.exists()


def test_anonymous_callers_see_the_services_open_to_visitors_and_whom_each_guide_is_for(client, open_to):  # noqa: F811
    open_to("aud-students", ["student"])
    open_to("aud-visitors", ["visitor"])
    listed = client.get(f"{API}/services").json()
    assert [s["code"] for s in listed["items"]] == ["aud-visitors"] and listed["count"] == 1
    guide = client.get(f"{API}/services/aud-students").json()
    assert guide["for_whom"] == "学生" and guide["may_apply"] is False
    assert guide["refusal"]["code"] == "not_in_audience"
    assert client.get(f"{API}/services/aud-visitors").json()["refusal"]["code"] == "login_required"


def test_a_second_draft_of_a_service_is_409_with_the_open_drafts_id(world, open_to, login):  # noqa: F811
    open_to("aud-students", ["student"])
    client = login(world.applicant)
    first = post(client, "/services/aud-students/applications", {"answers": {"purpose": "签证"}})
    again = post(client, "/services/aud-students/applications", {"answers": {"purpose": "另一份"}})
    assert again.status_code == 409
    assert again.json()["code"] == "draft_open" and again.json()["case_id"] == first.json()["id"]
    assert Case.objects.get().answers["purpose"] == "签证"  # the second's answers went nowhere
    # one call that submits is a whole application of its own: taken, the draft left as it is
    single = post(client, "/services/aud-students/applications", {"answers": {}, "submit": True})
    assert single.status_code == 201 and Case.objects.filter(status=Status.DRAFT).count() == 1
