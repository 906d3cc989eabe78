"""The workbench's acts are read by Django forms: a forged or garbled POST to claim,
decide or accept is answered with the case's page again, the message at the field it is
about and what was typed kept; it changes nothing, and is never a 500."""

import pytest

from tongban.cases.models import Case, WorkItem
from tongban.cases.tests.conftest import pdf, said_at
from tongban.cases.uploads import attach

pytestmark = pytest.mark.django_db


@pytest.fixture
def step(certificate_service, submitted):
    return WorkItem.objects.get(case=submitted(certificate_service), state="open")


@pytest.mark.parametrize(("post", "field", "said"), [
    ({"outcome": "approve_all"}, "outcome", "请选择办理结果"),
    ({"outcome": "reject", "comment": "长" * 2001}, "comment", "意见不能超过 2000 字"),
    ({"outcome": ""}, "outcome", "请选择办理结果"),  # the form takes it; the service refuses
    ({}, "outcome", "请选择办理结果"),
    ({"outcome": "reject", "comment": "  "}, "comment", "请填写意见或原因"),
])
def test_a_garbled_decision_is_answered_at_its_field_with_what_was_typed(world, step, login, post, field, said):
    answer = login(world.college_admin).post(f"/workbench/work/{step.pk}/", post)
    assert answer.status_code == 400
    assert said_at(answer, f"work-{step.pk}-{field}") == [said]
    if post.get("comment"):
        assert f">\n{post['comment']}</textarea>" in answer.content.decode()
    assert WorkItem.objects.get(pk=step.pk).state == "open"


def test_a_decision_sent_as_a_list_takes_its_last_value(world, step, login):
    answer = login(world.college_admin).post(f"/workbench/work/{step.pk}/",
                                             {"outcome": ["approve", "reject"], "comment": "x"})
    assert answer.status_code == 302 and WorkItem.objects.get(pk=step.pk).outcome == "reject"


@pytest.fixture
def waiting(world, residence_service):
    from tongban.cases import services

    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    return services.submit(actor=world.applicant, case=case)


@pytest.mark.parametrize(("post", "field", "said"), [
    ({}, "decision", "请选择受理结果"),
    ({"decision": "approve"}, "decision", "请选择受理结果"),
    ({"decision": "accept", "deficient": ["photo", "passport"]}, "deficient", "没有这项材料"),
    ({"decision": "accept", "deficient": ["form", "photo", "lease"]}, "deficient", "申请表是核心材料，不能容缺受理"),
    ({"decision": "refuse", "reason": "理" * 2001}, "reason", "意见或理由不能超过 2000 字"),
])
def test_a_garbled_acceptance_is_answered_at_its_field_with_what_was_typed(world, waiting, login, post, field, said):
    answer = login(world.clerk).post(f"/workbench/cases/{waiting.pk}/accept/", post)
    assert answer.status_code == 400
    assert said_at(answer, f"id_{field}") == [said]
    page = answer.content.decode()
    if post.get("reason"):
        assert f">\n{post['reason']}</textarea>" in page
    if "photo" in post.get("deficient", ()):
        assert 'value="photo" checked' in page  # the ticks stay
    assert Case.objects.get(pk=waiting.pk).status == "submitted"


def test_all_the_acceptances_errors_are_shown_at_once(world, waiting, login):
    answer = login(world.clerk).post(f"/workbench/cases/{waiting.pk}/accept/",
                                     {"decision": "maybe", "deficient": ["passport"], "reason": "理" * 2001})
    assert (said_at(answer, "id_decision"), said_at(answer, "id_deficient"), said_at(answer, "id_reason")) == (
        ["请选择受理结果"], ["没有这项材料"], ["意见或理由不能超过 2000 字"])
