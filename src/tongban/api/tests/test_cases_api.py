"""The applicant's API (/api/v1/) through the test client: the catalog (each service
listed to whom it is for: test_audience_api), applying in one call or as a draft with
files, following one's own cases, and every refusal as one JSON shape naming the
field, never a 500."""

import json

import pytest
from django.test import Client

from tongban.audit.models import AuditEntry
from tongban.cases.models import Case, CaseEvent, Status, WorkItem
from tongban.cases.tests.conftest import PDF
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db

API = "/api/v1"


def post(client, path, body=None, **headers):
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json", **headers)


def nothing_written():
    return not Case.objects.exists() and not AuditEntry.objects.filter(action__startswith="case.").exists() \
        and not Message.objects.filter(event__startswith="case.").exists()


# --- the catalog, its guides open to anyone ------------------------------------------------------
def test_a_student_lists_the_published_services_and_finds_one_by_name(world, login, proof_service,
                                                                     certificate_service):
    client = login(world.applicant)  # both are for students (whom is the audience's test's)
    answer = client.get(f"{API}/services")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    assert {s["code"] for s in body["items"]} == {"enrolment-proof", "degree-loss"}
    found = client.get(f"{API}/services", {"q": "在读"}).json()
    assert [s["code"] for s in found["items"]] == ["enrolment-proof"]
    assert found["items"][0]["unit"] == "经济学院"


def test_a_guide_gives_the_form_and_materials_of_the_current_version(client, certificate_service):
    body = client.get(f"{API}/services/degree-loss").json()
    assert body["version"] == 1
    assert [f["key"] for f in body["fields"]] == ["name", "id_number", "year", "reported", "newspaper"]
    assert body["fields"][4]["visible_if"] == 'reported == "是"'
    assert [(m["key"], m["core"]) for m in body["materials"]] == [("statement", True), ("clipping", False)]
    assert body["guide"]["promised_days"] == 5


def test_an_unpublished_or_unknown_service_is_a_json_404(client, certificate_service):
    from tongban.catalog.services import unpublish

    unpublish(actor=None, item=certificate_service)
    for code in ("degree-loss", "no-such-service"):
        answer = client.get(f"{API}/services/{code}")
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"


def test_a_page_past_the_limit_is_refused_naming_the_parameter(client, proof_service):
    answer = client.get(f"{API}/services", {"limit": 1000})
    assert answer.status_code == 422
    assert answer.json()["field"] == "limit"


# --- signing in and the CSRF token ----------------------------------------------------------
def test_applying_without_signing_in_is_401_and_writes_nothing(client, proof_service):
    answer = post(client, "/services/enrolment-proof/applications", {"submit": True})
    assert answer.status_code == 401
    assert answer.json() == {"code": "login_required", "message": "请先登录。"}
    assert nothing_written()


def test_a_write_needs_the_csrf_token_that_me_gives(world, proof_service):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.applicant)
    refused = post(client, "/services/enrolment-proof/applications", {"answers": {"purpose": "签证"}})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf"
    assert nothing_written()
    me = client.get(f"{API}/me").json()
    assert me["username"] == "applicant"
    taken = post(client, "/services/enrolment-proof/applications", {"answers": {"purpose": "签证"}},
                 HTTP_X_CSRFTOKEN=me["csrf_token"])
    assert taken.status_code == 201


# --- one call -------------------------------------------------------------------------------
def test_one_call_submits_the_application_starts_its_workflow_and_tells_everyone(world, proof_service, login):
    client = login(world.applicant)
    answer = post(client, "/services/enrolment-proof/applications",
                  {"answers": {"purpose": "签证", "phone": "13912345678", "abroad": True}, "submit": True})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    case = Case.objects.get()
    assert body["id"] == case.pk and body["serial"] == case.serial and case.serial.startswith("ZD-")
    assert body["status"] == Status.IN_APPROVAL == case.status
    # prefilled from the person record, the rest as sent; the phone number masked
    assert body["answers"]["name"] == "李同学" and body["answers"]["purpose"] == "签证"
    assert body["answers"]["abroad"] == "是"
    assert body["answers"]["phone"] != "13912345678" and "*" in body["answers"]["phone"]
    assert [e["action"] for e in body["events"]] == ["submit"]
    # urging waits for a deadline to pass (cases.rules.urge_refusal)
    assert body["actions"] == {"edit": False, "submit": False, "withdraw": True, "urge": False, "upload": False}
    work = WorkItem.objects.get(case=case)
    assert work.org_unit == world.econ and work.role == "college_admin"
    told = set(Message.objects.filter(object_id=str(case.pk)).values_list("event", "recipient__username"))
    assert ("case.submitted", "applicant") in told and ("case.work_arrived", "college_admin") in told
    trail = list(AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("seq")
                 .values_list("action", "role"))
    assert trail == [("case.draft", "applicant"), ("case.submit", "applicant")]


def test_one_call_with_a_bad_answer_is_422_naming_the_field_and_keeps_nothing(world, proof_service, login):
    client = login(world.applicant)
    for answers, field, message in (
            ({"purpose": "旅游"}, "purpose", "用途只能从选项中选择"),
            ({"purpose": "签证", "phone": "12345"}, "phone", "联系电话应为 11 位手机号"),
            ({}, "purpose", "请填写用途"),
            ({"purpose": "签证", "purpos": "x"}, "purpos", "表单中没有字段“purpos”")):
        answer = post(client, "/services/enrolment-proof/applications", {"answers": answers, "submit": True})
        assert answer.status_code == 422, answers
        assert answer.json()["field"] == field and answer.json()["message"] == message
    assert nothing_written()


def test_one_call_for_a_service_needing_a_core_material_is_refused_naming_it(world, certificate_service, login):
    client = login(world.applicant)
    answer = post(client, "/services/degree-loss/applications",
                  {"answers": {"year": 2024, "reported": "否"}, "submit": True})
    assert answer.status_code == 422
    assert answer.json() == {"code": "material_missing", "message": "请上传遗失声明", "field": "statement"}
    assert nothing_written()


@pytest.mark.parametrize("body, field", [
    ({"answers": ["签证"]}, "answers"),
    ({"answers": {"purpose": {"a": 1}}}, "purpose"),
    ({"submit": "maybe"}, "submit"),
])
def test_a_body_of_the_wrong_shape_is_422_naming_the_field(world, proof_service, login, body, field):
    answer = post(login(world.applicant), "/services/enrolment-proof/applications", body)
    assert answer.status_code == 422
    refusal = answer.json()
    assert refusal["code"] == "invalid" and refusal["field"] == field and refusal["errors"]
    assert nothing_written()


def test_a_body_that_is_not_json_is_refused_as_json(world, proof_service, login):
    answer = login(world.applicant).post(f"{API}/services/enrolment-proof/applications", "{not json",
                                         content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {"code": "bad_request", "message": "请求格式不正确"}
    assert nothing_written()


@pytest.mark.parametrize("raw, code", [
    ('{"answers": {"purpose": "签\\u0000证"}, "submit": true}', "bad_character"),
    ('{"answers": {"purpose": "签证"}, "on_behalf": "a\\\\\\u0000"}', "bad_character"),
    ('{"answers": {"purpose": "\\ud800"}, "submit": true}', "bad_character"),
    ('{"answers": {"purpose": NaN}, "submit": true}', "bad_number"),
    ('{"answers": {"purpose": 1e400}, "submit": true}', "bad_number"),
])
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_what_no_database_stores_is_refused_before_the_database_sees_it(world, proof_service, login, raw, code,
                                                                         content_type):
    answer = login(world.applicant).post(f"{API}/services/enrolment-proof/applications", raw,
                                         content_type=content_type)
    assert answer.status_code == 400 and answer.json()["code"] == code, raw
    assert nothing_written()


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(world, proof_service, login):
    # text, so no 400: it reaches the service, which takes no one named by free text
    answer = post(login(world.applicant), "/services/enrolment-proof/applications",
                  {"answers": {"purpose": "签证"}, "on_behalf": "\\u0000"})
    assert answer.status_code == 422 and answer.json()["code"] == "relation_required"


@pytest.mark.parametrize("year", ["NaN", "Infinity", "sNaN", "1e5000", "9" * 5000, 1e300, 10 ** 40, True])
def test_a_number_answer_that_is_no_number_is_422_naming_the_field(world, certificate_service, login, year):
    answer = post(login(world.applicant), "/services/degree-loss/applications", {"answers": {"year": year}})
    assert answer.status_code == 422 and answer.json()["field"] == "year", year
    assert nothing_written()


def test_refusals_before_any_handler_are_json_too(world, login):
    client = login(world.applicant)
    client.raise_request_exception = False
    for answer, status in ((client.get(f"{API}/no-such-thing"), 404),
                           (client.delete(f"{API}/applications/1"), 405),
                           (client.get(f"{API}/services", {"q": "a\x00"}), 400)):
        assert answer.status_code == status
        assert answer["Content-Type"].startswith("application/json") and answer.json()["message"]


# --- a draft, its files, submitting ---------------------------------------------------------------
def test_a_draft_takes_answers_and_files_then_is_submitted(world, certificate_service, login):
    client = login(world.applicant)
    made = post(client, "/services/degree-loss/applications", {"answers": {"year": "2024"}})
    assert made.status_code == 201
    draft = made.json()
    assert draft["status"] == "draft" and draft["serial"] is None and draft["answers"]["year"] == 2024
    pk = draft["id"]
    saved = client.patch(f"{API}/applications/{pk}", json.dumps({"answers": {"reported": "是"}}),
                         content_type="application/json")
    assert saved.status_code == 200 and saved.json()["answers"]["reported"] == "是"
    # the clipping now applies; a file named .pdf is refused by what it contains
    assert [m["key"] for m in saved.json()["materials"]] == ["statement", "clipping"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = client.post(f"{API}/applications/{pk}/files",
                       {"material": "statement", "file": SimpleUploadedFile("s.pdf", b"MZ\x90\x00", "application/pdf")})
    assert fake.status_code == 422 and fake.json()["field"] == "statement"
    stored = client.post(f"{API}/applications/{pk}/files",
                         {"material": "statement", "file": SimpleUploadedFile("声明.pdf", PDF, "application/pdf")})
    assert stored.status_code == 201
    [statement] = [m for m in stored.json()["materials"] if m["key"] == "statement"]
    assert statement["files"][0]["name"] == "声明.pdf" and len(statement["files"][0]["sha256"]) == 64
    assert client.get(statement["files"][0]["url"]).status_code == 200
    missing = post(client, f"/applications/{pk}/submit", {})
    assert missing.status_code == 422 and missing.json()["field"] == "newspaper"
    # no acceptance step to take the clipping as 容缺: it is needed to submit
    no_clipping = post(client, f"/applications/{pk}/submit", {"answers": {"newspaper": "示例日报"}})
    assert (no_clipping.status_code, no_clipping.json()["field"]) == (422, "clipping")
    client.post(f"{API}/applications/{pk}/files",
                {"material": "clipping", "file": SimpleUploadedFile("剪报.pdf", PDF, "application/pdf")})
    submitted = post(client, f"/applications/{pk}/submit", {"answers": {"newspaper": "示例日报"}})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_approval" and submitted.json()["serial"].startswith("XW-")
    listed = client.get(f"{API}/applications").json()
    assert listed["count"] == 1 and listed["items"][0]["serial"] == submitted.json()["serial"]


def test_submitting_twice_is_409_and_leaves_the_case_as_it_was(world, proof_service, login):
    client = login(world.applicant)
    pk = post(client, "/services/enrolment-proof/applications",
              {"answers": {"purpose": "实习"}, "submit": True}).json()["id"]
    before = Case.objects.values().get(pk=pk)
    events = CaseEvent.objects.count()
    again = post(client, f"/applications/{pk}/submit", {"answers": {"purpose": "签证"}})
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition" and again.json()["status"] == "in_approval"
    assert Case.objects.values().get(pk=pk) == before and CaseEvent.objects.count() == events


def test_the_applicant_withdraws_and_cannot_urge_what_is_not_overdue(world, proof_service, login):
    client = login(world.applicant)
    pk = post(client, "/services/enrolment-proof/applications",
              {"answers": {"purpose": "实习"}, "submit": True}).json()["id"]
    urged = post(client, f"/applications/{pk}/urge")
    assert urged.status_code == 409 and urged.json()["code"] == "not_overdue"
    assert Case.objects.get(pk=pk).last_urged_at is None
    withdrawn = post(client, f"/applications/{pk}/withdraw", {"reason": "不需要了"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["events"][-1] == {**withdrawn.json()["events"][-1], "action": "withdraw",
                                              "comment": "不需要了"}


def test_someone_elses_case_is_404_to_read_and_to_write(world, proof_service, login):
    pk = post(login(world.applicant), "/services/enrolment-proof/applications",
              {"answers": {"purpose": "实习"}}).json()["id"]
    other = login(world.outsider)
    assert other.get(f"{API}/applications/{pk}").status_code == 404
    answer = post(other, f"/applications/{pk}/submit", {})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert other.get(f"{API}/applications").json() == {"count": 0, "items": []}
    assert Case.objects.get(pk=pk).status == Status.DRAFT


# --- the docs -------------------------------------------------------------------------------
def test_the_docs_are_served_from_our_own_static_files(client):
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    text = page.content.decode()
    assert "swagger-ui-bundle.js" in text and "cdn" not in text.lower()
    schema = client.get(f"{API}/openapi.json").json()
    assert "/api/v1/services/{code}/applications" in schema["paths"]


def test_a_restricted_applicant_is_refused_in_one_call_and_nothing_is_kept(world, proof_service, login):
    from tongban.restrictions.services import impose

    impose(actor=None, person=world.applicant_person, kind="manual", reason="借用户口卡逾期未还")
    Message.objects.all().delete()
    answer = post(login(world.applicant), "/services/enrolment-proof/applications",
                  {"answers": {"purpose": "签证"}, "submit": True})
    assert answer.status_code == 403 and answer.json()["code"] == "restricted"
    assert "逾期未还" in answer.json()["message"]
    assert nothing_written()


def test_id_and_phone_numbers_are_masked_in_answers_and_kept_when_sent_back_masked(world, certificate_service,
                                                                                   login):
    from tongban.cases.services import secrets_of

    client = login(world.applicant)
    draft = post(client, "/services/degree-loss/applications", {"answers": {"year": 2024}}).json()
    shown = draft["answers"]["id_number"]
    stored = secrets_of(Case.objects.get(pk=draft["id"]))["id_number"]
    assert "*" in shown and shown != stored and stored not in json.dumps(draft)
    saved = client.patch(f"{API}/applications/{draft['id']}", json.dumps({"answers": {"id_number": shown}}),
                         content_type="application/json")
    assert saved.status_code == 200
    assert secrets_of(Case.objects.get(pk=draft["id"]))["id_number"] == stored


def test_files_go_only_to_ones_own_case_and_to_a_material_it_has(world, certificate_service, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pk = post(login(world.applicant), "/services/degree-loss/applications", {}).json()["id"]
    unknown = login(world.applicant).post(f"{API}/applications/{pk}/files", {
        "material": "passport", "file": SimpleUploadedFile("p.pdf", PDF, "application/pdf")})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_material"
    other = login(world.outsider).post(f"{API}/applications/{pk}/files", {
        "material": "statement", "file": SimpleUploadedFile("p.pdf", PDF, "application/pdf")})
    assert other.status_code == 404
    assert not Case.objects.get(pk=pk).attachments.exists()


def test_a_material_accepted_missing_is_supplemented_through_the_api(world, residence_service, login):
    """容缺: accepted with the photo missing; the applicant uploads it later and it is
    struck off in the same act."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases import services
    from tongban.cases.tests.conftest import PNG

    client = login(world.applicant)
    pk = post(client, "/services/residence-proof/applications", {"answers": {"address": "东门路 1 号"}}).json()["id"]
    client.post(f"{API}/applications/{pk}/files",
                {"material": "form", "file": SimpleUploadedFile("f.pdf", PDF, "application/pdf")})
    client.post(f"{API}/applications/{pk}/files",
                {"material": "lease", "file": SimpleUploadedFile("l.pdf", PDF, "application/pdf")})
    assert post(client, f"/applications/{pk}/submit", {}).json()["status"] == "submitted"
    services.accept(actor=world.clerk, case=Case.objects.get(pk=pk), deficient=["photo"])
    waiting = client.get(f"{API}/applications/{pk}").json()
    assert waiting["deficiencies"] == ["photo"] and waiting["actions"]["upload"] is True
    done = client.post(f"{API}/applications/{pk}/files",
                       {"material": "photo", "file": SimpleUploadedFile("p.png", PNG, "image/png")})
    assert done.status_code == 201, done.content
    assert done.json()["deficiencies"] == [] and done.json()["events"][-1]["action"] == "supplement"
    assert done.json()["actions"]["upload"] is False


def test_a_draft_with_a_bad_answer_is_refused_and_no_draft_is_left(world, certificate_service, login):
    answer = post(login(world.applicant), "/services/degree-loss/applications", {"answers": {"year": "去年"}})
    assert answer.status_code == 422 and answer.json()["field"] == "year"
    assert nothing_written()
