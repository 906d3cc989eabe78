"""Pressing 在线申请 again for the same relative opens the draft begun for them, on the page and
in the API; and an answer is kept as written, asterisks and all (only an ID or phone number
sent back masked keeps the stored one)."""

import json

import pytest

from tongban.cases import services
from tongban.cases.models import Case
from tongban.people.services import add_relation, verify_relation

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_child(world):
    child = world.person(name="李小宝", student_number="")
    relation = add_relation(actor=None, person=world.applicant_person, relative=child, kind="child")
    return verify_relation(actor=world.officer, relation=relation)


def test_applying_again_for_the_same_relative_resumes_their_draft(world, certificate_service, verified_child,
                                                                  login):
    client = login(world.applicant)
    first = client.post("/services/degree-loss/apply/", {"relation": verified_child.pk})
    again = client.post("/services/degree-loss/apply/", {"relation": verified_child.pk})
    case = Case.objects.get()
    assert first["Location"] == again["Location"] == f"/cases/{case.pk}/edit/"
    token = client.get("/api/v1/me").json()["csrf_token"]
    api = client.post("/api/v1/services/degree-loss/applications", json.dumps({"relation": verified_child.pk}),
                      content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert (api.status_code, api.json()["code"]) == (409, "draft_open")
    assert Case.objects.count() == 1
    # the applicant's own draft is another one
    assert client.post("/services/degree-loss/apply/")["Location"] != f"/cases/{case.pk}/edit/"


def test_an_answer_with_an_asterisk_is_saved_as_written(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    text_key = next(f["key"] for f in case.config["fields"] if f["type"] == "text" and not f["prefill"])
    services.save_draft(actor=world.applicant, case=case, answers={text_key: "北京晚报"})
    services.save_draft(actor=world.applicant, case=case, answers={text_key: "北京*晚报"})
    case.refresh_from_db()
    assert case.answers[text_key] == "北京*晚报"
