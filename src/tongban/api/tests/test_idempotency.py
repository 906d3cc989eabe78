"""Idempotency-Key: a phone that lost the answer to "apply" sends it again with the same
key and gets the first case back, not a second one; the same key with another body is
refused; a refusal before the request was read is not kept; a system's key is its own."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from tongban.api.models import IdempotentRequest
from tongban.cases.models import Case
from tongban.cases.tests.conftest import PDF

pytestmark = pytest.mark.django_db
APPLY = "/api/v1/services/enrolment-proof/applications"
BODY = {"answers": {"purpose": "签证"}, "submit": True}


def _post(client, body=BODY, key="k-1", path=APPLY, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_the_same_key_and_body_get_the_first_answer_and_make_one_case(world, login, proof_service):
    client = login(world.applicant)
    first = _post(client)
    again = _post(client)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_without_a_key_two_posts_make_two_cases(world, login, proof_service):
    client = login(world.applicant)
    _post(client, key=None)
    _post(client, key=None)
    assert Case.objects.count() == 2


def test_the_same_key_with_another_body_is_refused_naming_the_header(world, login, proof_service):
    client = login(world.applicant)
    _post(client)
    answer = _post(client, body={"answers": {"purpose": "实习"}, "submit": True})
    assert answer.status_code == 422
    assert answer.json() == {"code": "idempotency_key_reused", "message": "此 Idempotency-Key 已用于另一个请求。",
                             "field": "Idempotency-Key"}
    assert Case.objects.count() == 1


def test_a_refusal_of_the_input_is_kept_like_any_answer(world, login, proof_service):
    client = login(world.applicant)
    bad = {"answers": {"purpose": "月球"}, "submit": True}
    assert _post(client, body=bad).status_code == 422
    again = _post(client, body=bad)
    assert again.status_code == 422 and again["Idempotent-Replayed"] == "true"


def test_a_csrf_refusal_is_not_kept_so_the_retry_with_the_token_goes_through(world, proof_service):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.applicant)
    assert _post(client).status_code == 403
    token = client.get("/api/v1/me").json()["csrf_token"]
    taken = _post(client, HTTP_X_CSRFTOKEN=token)
    assert taken.status_code == 201 and "Idempotent-Replayed" not in taken
    assert Case.objects.count() == 1


def test_keys_are_each_callers_own(world, login, proof_service):
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user, grant_role
    from tongban.people.services import link_account

    other = create_user(actor=None, username="other-student", password="x-long-password-1", display_name="王")
    grant_role(actor=None, user=other, role=Role.APPLICANT, org_unit=world.econ)
    link_account(actor=None, person=world.person(name="王同学"), user=other)
    _post(login(world.applicant))
    answer = _post(login(other))
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert Case.objects.count() == 2


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_an_empty_or_overlong_key_is_refused(world, login, proof_service, key):
    answer = _post(login(world.applicant), key=key)
    assert answer.status_code == 422 and answer.json()["field"] == "Idempotency-Key"
    assert not Case.objects.exists()


def test_a_file_sent_again_under_its_key_is_stored_once(world, login, certificate_service):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases import services

    client = login(world.applicant)
    case = services.start_application(actor=world.applicant, item=certificate_service)

    def upload():
        return client.post(f"/api/v1/applications/{case.pk}/files",
                           {"material": "statement", "file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
                           HTTP_IDEMPOTENCY_KEY="file-1")
    assert upload().status_code == 201
    assert upload()["Idempotent-Replayed"] == "true"
    assert case.attachments.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_key_at_once_make_one_case(world, proof_service):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs real concurrent transactions (PostgreSQL)")
    barrier = threading.Barrier(2)
    statuses = []

    def apply():
        client = Client()
        client.force_login(world.applicant)
        barrier.wait()
        try:
            statuses.append(_post(client, key="race").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert Case.objects.count() == 1
    assert sorted(statuses) in ([201, 201], [201, 409])
    assert IdempotentRequest.objects.get(key="race").status == 201
