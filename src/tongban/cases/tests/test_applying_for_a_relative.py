"""Applying for someone else (a parent for a child) names them by one of one's
verified relations, picked on the guide or given as `relation` in the API, never
typed: the case's subject is that person and its identity answers are theirs. An
unverified relation, someone else's, or a relation typed as free text is refused."""

import json

import pytest

from tongban.cases import services
from tongban.cases.models import Case
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.people.services import add_relation, verify_relation

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def child(world):
    return world.person(name="李小宝", student_number="")


@pytest.fixture
def verified_child(world, child):
    relation = add_relation(actor=None, person=world.applicant_person, relative=child, kind="child")
    return verify_relation(actor=world.officer, relation=relation)


def test_a_parent_applies_for_a_verified_child_and_the_identity_is_the_childs(world, certificate_service,
                                                                              verified_child, child, login):
    client = login(world.applicant)
    guide = client.get("/services/degree-loss/").content.decode()
    assert f'<option value="{verified_child.pk}">子女 李小宝' in guide
    answer = client.post("/services/degree-loss/apply/", {"relation": verified_child.pk})
    case = Case.objects.get()
    assert answer["Location"] == f"/cases/{case.pk}/edit/"
    assert (case.subject_person_id, case.on_behalf, case.applicant_id) == (child.pk, "子女", world.applicant.pk)
    assert case.answers["name"] == "李小宝"
    assert services.secrets_of(case)["id_number"] == child.plain_id_number()
    with pytest.raises(ApplicationError) as caught:
        services.save_draft(actor=world.applicant, case=case, answers={"name": "李同学"})  # the parent's own name
    assert caught.value.message == "姓名取自办理对象的人员登记信息，不能修改"


def test_an_unverified_relation_or_someone_elses_cannot_be_applied_for(world, certificate_service, child, login):
    pending = add_relation(actor=None, person=world.applicant_person, relative=child, kind="child")
    stranger = world.person(name="路人")
    others = add_relation(actor=None, person=stranger, relative=child, kind="child", verified=True)
    client = login(world.applicant)
    for relation in (pending, others):
        answer = client.post("/services/degree-loss/apply/", {"relation": relation.pk}, follow=True)
        assert "只能为已核实亲属关系的家人申请" in answer.content.decode()
    with pytest.raises(NotAllowed) as caught:
        services.start_application(actor=world.applicant, item=certificate_service, subject_person=child)
    assert (caught.value.code, caught.value.field) == ("not_a_verified_relation", "relation")
    assert not Case.objects.exists()


def test_someone_else_typed_as_free_text_is_refused_on_the_page_and_in_the_api(world, certificate_service, login):
    client = login(world.applicant)
    answer = client.post("/services/degree-loss/apply/", {"on_behalf": "子女"}, follow=True)
    assert "请从已核实的亲属中选择办理对象" in answer.content.decode()
    api = client.post(f"{API}/services/degree-loss/applications", json.dumps({"on_behalf": "子女"}),
                      content_type="application/json")
    assert (api.status_code, api.json()["code"], api.json()["field"]) == (422, "relation_required", "relation")
    assert not Case.objects.exists()


def test_the_api_lists_the_verified_relations_and_applies_for_one(world, certificate_service, verified_child,
                                                                 child, login):
    add_relation(actor=None, person=world.applicant_person, relative=world.person(name="未核实"), kind="child")
    client = login(world.applicant)
    assert client.get(f"{API}/relations").json() == [
        {"id": verified_child.pk, "kind": "child", "kind_label": "子女", "name": "李小宝",
         "id_number": child.id_number_masked}]
    made = client.post(f"{API}/services/degree-loss/applications",
                       json.dumps({"relation": verified_child.pk, "answers": {"year": "2024"}}),
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["answers"]["name"] == "李小宝"
    assert made.json()["on_behalf"] == "子女"
    forged = client.post(f"{API}/services/degree-loss/applications",
                         json.dumps({"relation": verified_child.pk + 1000}), content_type="application/json")
    assert (forged.status_code, forged.json()["field"]) == (422, "relation")
