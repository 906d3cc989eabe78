"""The workbench's acts are read by Django forms: a forged or garbled POST to claim,
decide or accept is answered with the field's message, changes nothing, and is never
a 500."""

import pytest
from django.contrib.messages import get_messages

from tongban.cases.models import Case, WorkItem
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach

pytestmark = pytest.mark.django_db


def _flash(answer) -> list[str]:
    return [str(m) for m in get_messages(answer.wsgi_request)]


@pytest.fixture
def step(certificate_service, submitted):
    return WorkItem.objects.get(case=submitted(certificate_service), state="open")


@pytest.mark.parametrize(("post", "said"), [
    ({"outcome": "approve_all"}, "请选择办理结果"),
    ({"outcome": ["approve", "reject"], "comment": "x"}, None),  # a list: the last value, as Django reads it
    ({"outcome": "reject", "comment": "长" * 2001}, "意见不能超过 2000 字"),
    ({"outcome": ""}, "请选择办理结果"),
    ({}, "请选择办理结果"),
])
def test_a_garbled_decision_is_answered_with_the_fields_message(world, step, login, post, said):
    answer = login(world.college_admin).post(f"/workbench/work/{step.pk}/", post)
    assert answer.status_code == 302
    if said is None:
        assert WorkItem.objects.get(pk=step.pk).outcome == "reject"
        return
    assert _flash(answer) == [said]
    assert WorkItem.objects.get(pk=step.pk).state == "open"


@pytest.fixture
def waiting(world, residence_service):
    from tongban.cases import services

    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    return services.submit(actor=world.applicant, case=case)


@pytest.mark.parametrize(("post", "said"), [
    ({}, "请选择受理结果"),
    ({"decision": "approve"}, "请选择受理结果"),
    ({"decision": "accept", "deficient": ["photo", "passport"]}, "没有这项材料"),
    ({"decision": "accept", "deficient": ["form", "photo", "lease"]}, "申请表是核心材料，不能容缺受理"),
    ({"decision": "refuse", "reason": "理" * 2001}, "意见或理由不能超过 2000 字"),
])
def test_a_garbled_acceptance_is_answered_with_the_fields_message(world, waiting, login, post, said):
    answer = login(world.clerk).post(f"/workbench/cases/{waiting.pk}/accept/", post)
    assert (answer.status_code, _flash(answer)) == (302, [said])
    assert Case.objects.get(pk=waiting.pk).status == "submitted"
