"""A result that calls out: a return-to-campus service whose effect is `interop.push`
sends each approved case to the gate system; the gate's answer is on the case, and a
refusal or silence is told to the case's staff."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tongban.accounts.roles import Role
from tongban.cases import services as cases
from tongban.cases.models import WorkItem
from tongban.catalog.models import FormField, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish
from tongban.interop import delivery, services
from tongban.interop.models import ApiClient, Delivery
from tongban.interop.tests.test_webhooks import Receiver
from tongban.lib.errors import ApplicationError
from tongban.notify.models import Message


@pytest.fixture
def return_service(world):
    item = ServiceItem.objects.create(
        code="return-to-campus", name="返校申请", category="学工", org_unit=world.econ, serial_prefix="FX",
        audience=["student"], ways=["online"], needs_acceptance=False, promised_days=1, statutory_days=3,
        effect="interop.push")
    FormField.objects.create(item=item, order=1, key="name", label="姓名", prefill="name")
    FormField.objects.create(item=item, order=2, key="valid_from", label="返校日期", type="date")
    FormField.objects.create(item=item, order=3, key="valid_until", label="有效期至", type="date")
    Step.objects.create(item=item, stage=1, key="college", name="学院审批", role=Role.COLLEGE_ADMIN,
                        unit_rule=UnitRule.APPLICANT_UNIT, time_limit_days=1)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def gate(world, receiver, return_service):
    client, _ = services.register_client(actor=world.sysadmin, name="门禁系统", kind=ApiClient.Kind.GATE,
                                         scopes=["results:write"], units=[world.econ])
    target, secret = services.add_push_target(actor=world.sysadmin, client=client, service=return_service,
                                              url=receiver.url, fields=["valid_from", "valid_until"])
    receiver.secret = secret
    return target


def _approved(world, service):
    case = cases.start_application(actor=world.applicant, item=service)
    cases.save_draft(actor=world.applicant, case=case,
                     answers={"valid_from": "2027-02-20", "valid_until": "2027-07-10"})
    case = cases.submit(actor=world.applicant, case=case)
    item = WorkItem.objects.get(case=case, state="open")
    return cases.decide(actor=world.college_admin, item=item, outcome="approve")


def test_an_approved_return_reaches_the_gate_with_the_person_and_the_period(world, gate, receiver, return_service):
    case = _approved(world, return_service)
    assert case.status == "completed"
    receiver.answers = []
    delivery.relay(budget_seconds=5)
    [pushed] = receiver.got
    assert pushed["type"] == "case.pushed" and pushed["subject"] == f"cases.case/{case.pk}"
    assert pushed["data"]["answers"] == {"valid_from": "2027-02-20", "valid_until": "2027-07-10"}
    assert pushed["data"]["person"]["name"] == "李同学"
    assert pushed["data"]["person"]["id_number"] == world.applicant_person.id_number_masked
    # the receiver said nothing about acceptance: 2xx is taken as an acknowledgement
    assert case.events.filter(action="external_ack").exists()


def _answering(receiver, answer: dict):
    """The receiver answers with a JSON body (the test receiver sends no body: patch it)."""
    from tongban.interop import delivery as module

    real = module._post

    def post(url, body, headers):
        Webhook(receiver.secret).verify(body, headers)
        status, _ = real(url, body, headers)
        return status, json.dumps(answer).encode()

    return post


def test_the_gate_s_acknowledgement_is_on_the_case(world, gate, receiver, return_service, monkeypatch):
    monkeypatch.setattr(delivery, "_post", _answering(receiver, {"accepted": True, "reference": "GATE-778"}))
    case = _approved(world, return_service)
    delivery.relay(budget_seconds=5)
    ack = case.events.get(action="external_ack")
    assert ack.label == "门禁系统已接收" and ack.comment == "GATE-778"


def test_a_refusal_is_on_the_case_and_told_to_its_staff(world, gate, receiver, return_service, monkeypatch):
    monkeypatch.setattr(delivery, "_post", _answering(receiver, {"accepted": False, "reason": "人员不在名单"}))
    case = _approved(world, return_service)
    delivery.relay(budget_seconds=5)
    refused = case.events.get(action="external_refused")
    assert refused.comment == "人员不在名单"
    assert Message.objects.filter(recipient=world.college_admin, event="interop.push_refused").exists()


def test_silence_until_given_up_is_a_refusal_too(world, gate, receiver, return_service):
    case = _approved(world, return_service)
    Delivery.objects.update(since=timezone.now() - dt.timedelta(hours=27))
    receiver.answers = [504]
    assert delivery.relay(budget_seconds=5).dead == 1
    assert case.events.filter(action="external_refused", comment="无应答").exists()
    assert Message.objects.filter(recipient=world.college_admin, event="interop.push_refused").exists()


def test_a_push_target_needs_the_scope_and_a_pushing_service(world, receiver, return_service,
                                                            certificate_service):
    reader, _ = services.register_client(actor=world.sysadmin, name="只读", kind="business",
                                         scopes=["people:read"], units=[world.econ])
    with pytest.raises(ApplicationError) as refused:
        services.add_push_target(actor=world.sysadmin, client=reader, service=return_service, url=receiver.url,
                                 fields=[])
    assert refused.value.code == "scope_missing"
    taker, _ = services.register_client(actor=world.sysadmin, name="业务系统", kind="business",
                                        scopes=["results:write"], units=[world.econ])
    with pytest.raises(ApplicationError) as refused:
        services.add_push_target(actor=world.sysadmin, client=taker, service=certificate_service,
                                 url=receiver.url, fields=[])
    assert refused.value.code == "not_pushed"


def test_a_push_target_is_set_on_the_client_s_page(world, receiver, return_service, login):
    client, _ = services.register_client(actor=world.sysadmin, name="门禁系统", kind="gate",
                                         scopes=["results:write"], units=[world.econ])
    browser = login(world.sysadmin)
    answer = browser.post(f"/workbench/interop/{client.pk}/push/", {"service": "", "url": "not a url"})
    assert answer.status_code == 400 and set(answer.context["push"].errors) == {"service", "url"}
    answer = browser.post(f"/workbench/interop/{client.pk}/push/",
                          {"service": return_service.pk, "url": receiver.url, "fields": "valid_from， valid_until"})
    assert answer.status_code == 200 and answer.context["secret"].startswith("whsec_")
    target = client.subscriptions.get()
    assert target.service == return_service and target.fields == ["valid_from", "valid_until"]
    assert "返校申请" in browser.get(f"/workbench/interop/{client.pk}/").content.decode()
