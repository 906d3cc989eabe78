"""Whatever is served to a signed-in user, and every API answer, is sent
`Cache-Control: no-store` (lib.middleware.NoStoreForPersonalAnswers)."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_of_a_signed_in_user_is_no_store(world, login):
    client = login(world.applicant)
    for url in ("/", "/cases/", "/inbox/", "/services/"):
        answer = client.get(url)
        assert answer["Cache-Control"] == "no-store", url


def test_a_staff_page_and_its_refusals_are_no_store_too(world, login):
    client = login(world.clerk)
    assert client.get("/workbench/")["Cache-Control"] == "no-store"
    assert client.get("/workbench/people/999999/")["Cache-Control"] == "no-store"  # a 404 names no one, still


def test_every_api_answer_is_no_store_signed_in_or_not(world, login, client):
    assert client.get("/api/v1/services")["Cache-Control"] == "no-store"
    assert login(world.applicant).get("/api/v1/me")["Cache-Control"] == "no-store"


def test_a_public_page_for_an_anonymous_visitor_may_be_cached(client, world):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_static_assets_are_left_to_their_own_caching(world, login):
    assert "no-store" not in login(world.applicant).get("/static/tongban/site.css").get("Cache-Control", "")


def test_a_streamed_export_and_a_file_are_no_store(world, login):
    auditor = login(world.auditor)
    export = auditor.get("/workbench/audit/export.csv")
    assert export.status_code == 200 and export["Cache-Control"] == "no-store"
    template = login(world.clerk).get("/workbench/people/import/template.xlsx")
    assert template.status_code == 200 and template["Cache-Control"] == "no-store"
