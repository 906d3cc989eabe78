"""The chat panel, the API, feedback and the staff's list, through HTTP: what anyone
types comes back escaped, never as a server error; too many questions get 429."""

import json

import pytest

from tongban.accounts.roles import Role
from tongban.accounts.services import grant_role
from tongban.assistant.models import Question


def post_ask(client, text, **more):
    return client.post("/assistant/ask/", {"q": text, **more}, headers={"HX-Request": "true"})


def api_ask(client, text, **more):
    return client.post("/api/v1/assistant/questions", json.dumps({"question": text, **more}),
                       content_type="application/json")


def test_the_chat_page_has_the_form_and_no_inline_script(client, catalog):
    page = client.get("/assistant/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-post="/assistant/ask/"' in html
    assert "<script>" not in html and "hx-on" not in html and "onclick" not in html


def test_an_htmx_question_gets_its_answer_with_the_guide_and_apply_links(client, catalog):
    response = post_ask(client, "无犯罪证明要带什么")
    assert response.status_code == 200
    html = response.content.decode()
    assert "无犯罪记录证明" in html and "身份证正反面" in html
    assert 'href="/services/no-criminal-record/#materials"' in html
    assert 'href="/services/no-criminal-record/apply/"' in html
    assert "<html" not in html  # the fragment only


def test_without_script_the_form_posts_and_the_whole_page_comes_back(client, catalog):
    response = client.post("/assistant/ask/", {"q": "户口卡怎么借"})
    assert response.status_code == 200
    assert "<html" in response.content.decode() and "借用集体户口卡" in response.content.decode()


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>借户口卡",
                                  "' OR 1=1; --", "", "😀" * 50, "户" * 10000, "a" * 25000])
def test_whatever_is_typed_comes_back_escaped_and_never_a_server_error(client, catalog, text):
    response = post_ask(client, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html


def test_the_api_answers_the_same_as_the_page(client, catalog):
    response = api_ask(client, "在读证明多久能拿到")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "answered"
    assert body["service"]["code"] == "enrolment-proof"
    assert body["part"] == "time_limit"
    assert body["lines"][0]["text"] == "2 个工作日（法定 20 个工作日）"
    assert body["apply_link"] == "/services/enrolment-proof/apply/"


def test_the_api_clarifies_with_choices_then_answers_the_choice(client, catalog):
    first = api_ask(client, "我要迁户口").json()
    assert first["outcome"] == "clarify"
    choice = next(c["choice"] for c in first["choices"] if c["label"] == "迁入")
    then = api_ask(client, "我要迁户口", choice=choice).json()
    assert then["service"]["code"] == "hukou-move-in"


@pytest.mark.parametrize("body", ["not json", '{"question": 5}', '{"question": "\\u0000"}'])
def test_the_api_refuses_bad_bodies_as_json(client, catalog, body):
    response = client.post("/api/v1/assistant/questions", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert "code" in response.json()


def test_too_many_questions_from_one_address_get_429(client, catalog, settings):
    settings.ASSISTANT_RATE_PER_IP = 3
    assert [api_ask(client, "户口卡怎么借").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api_ask(client, "户口卡怎么借").json()["code"] == "rate_limited"
    assert post_ask(client, "户口卡怎么借").status_code == 429


def test_too_many_questions_from_one_account_get_429_from_any_address(client, catalog, world, settings, login):
    settings.ASSISTANT_RATE_PER_USER = 2
    login(world.applicant)
    codes = [client.post("/api/v1/assistant/questions", json.dumps({"question": "开证明"}),
                         content_type="application/json", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_feedback_is_kept_and_only_the_asker_may_give_it(client, catalog, world, login):
    login(world.applicant)
    answer = api_ask(client, "户口卡怎么借").json()
    assert client.post(f"/api/v1/assistant/questions/{answer['id']}/feedback", json.dumps({"helpful": False}),
                       content_type="application/json").status_code == 200
    assert Question.objects.get(pk=answer["id"]).helpful is False
    login(world.officer)
    refused = client.post(f"/api/v1/assistant/questions/{answer['id']}/feedback", json.dumps({"helpful": True}),
                          content_type="application/json")
    assert refused.status_code == 404
    assert Question.objects.get(pk=answer["id"]).helpful is False


def test_feedback_from_the_page_says_thank_you(client, catalog):
    answer = api_ask(client, "户口卡怎么借").json()
    response = client.post("/assistant/feedback/", {"question": answer["id"], "helpful": "1"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "谢谢" in response.content.decode()
    assert Question.objects.get(pk=answer["id"]).helpful is True
    assert client.post("/assistant/feedback/", {"question": "x", "helpful": "1"}).status_code == 422


def test_staff_see_not_sure_and_unhelpful_questions_grouped(client, catalog, world, login):
    for _ in range(3):
        api_ask(client, "户口的事情问一下")
    helped = api_ask(client, "户口卡怎么借").json()
    client.post(f"/api/v1/assistant/questions/{helped['id']}/feedback", json.dumps({"helpful": False}),
                content_type="application/json")
    api_ask(client, "在读证明多久能拿到")  # answered, not rated: not listed
    grant_role(actor=None, user=world.outsider, role=Role.SERVICE_ADMIN, org_unit=world.univ)
    login(world.outsider)
    page = client.get("/workbench/assistant/")
    assert page.status_code == 200
    rows = [g for g in page.context["groups"]]
    assert [(g.text, g.times, g.unhelpful) for g in rows] == [("户口的事情问一下", 3, 0), ("户口卡怎么借", 1, 1)]


def test_an_applicant_may_not_see_the_staff_list(client, catalog, world, login):
    login(world.applicant)
    assert client.get("/workbench/assistant/").status_code in (302, 403)


def test_a_signed_in_question_needs_the_csrf_token_an_anonymous_one_does_not(world):
    from django.test import Client

    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/api/v1/assistant/questions", json.dumps({"question": "户口卡怎么借"}),
                          content_type="application/json").status_code == 200
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(world.applicant)
    refused = signed_in.post("/api/v1/assistant/questions", json.dumps({"question": "户口卡怎么借"}),
                             content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf"
    token = signed_in.get("/api/v1/me").json()["csrf_token"]
    taken = signed_in.post("/api/v1/assistant/questions", json.dumps({"question": "户口卡怎么借"}),
                           content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert taken.status_code == 200
