"""Events reach subscribed systems: written in the act's transaction, signed per Standard
Webhooks, CloudEvents-shaped, retried with backoff, kept in order per subject, given up
after a day with an alert, replayed by hand. The receiver here is a real HTTP server
that verifies each signature with the `standardwebhooks` library."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tongban.interop import delivery, services
from tongban.interop.models import ApiClient, Delivery, Event
from tongban.lib.errors import ApplicationError
from tongban.notify.models import Message

S = Delivery.Status


class Receiver:
    """A system's endpoint: answers with the next status of `answers` (200 when none are
    left) and keeps what it verified."""

    def __init__(self):
        self.answers: list[int] = []
        self.got: list[dict] = []
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 200:
                    receiver.got.append(Webhook(receiver.secret).verify(body, dict(self.headers)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def gate(world, receiver):
    """The gate-access system: may receive events about the economics college's people."""
    client, _secret = services.register_client(actor=world.sysadmin, name="门禁系统", kind=ApiClient.Kind.GATE,
                                               scopes=["events:receive"], units=[world.econ])
    subscription, secret = services.subscribe(actor=world.sysadmin, client=client, url=receiver.url,
                                              event_types=["case.*"])
    receiver.secret = secret
    return subscription


def _relay():
    return delivery.relay(budget_seconds=5)


def test_a_submitted_case_reaches_the_receiver_signed_and_cloudevents_shaped(world, gate, receiver,
                                                                             certificate_service, submitted):
    case = submitted(certificate_service)
    assert _relay().delivered == 1
    [event] = receiver.got
    assert event["specversion"] == "1.0" and event["type"] == "case.submitted" and event["source"] == "tongban"
    assert event["subject"] == f"cases.case/{case.pk}"
    assert event["data"]["unit"] in {world.econ.code, certificate_service.org_unit.code}
    sent = Delivery.objects.get()
    assert sent.status == S.DELIVERED and sent.attempts == 1 and sent.latency_ms is not None


def test_no_event_leaves_for_a_client_whose_data_scope_does_not_hold_it(world, receiver, certificate_service,
                                                                         submitted):
    client, _ = services.register_client(actor=world.sysadmin, name="法学院系统", kind="business",
                                         scopes=["events:receive"], units=[world.law])
    services.subscribe(actor=world.sysadmin, client=client, url=receiver.url, event_types=["case.submitted"])
    submitted(certificate_service)
    assert not Delivery.objects.exists()


def test_an_event_type_not_subscribed_to_is_not_sent(world, receiver, certificate_service, submitted):
    client, _ = services.register_client(actor=world.sysadmin, name="预约看板", kind="business",
                                         scopes=["events:receive"], units=[world.univ])
    services.subscribe(actor=world.sysadmin, client=client, url=receiver.url, event_types=["booking.*"])
    submitted(certificate_service)
    assert not Event.objects.exists()


def test_an_act_that_rolls_back_sends_nothing(world, gate, certificate_service, submitted):
    with pytest.raises(RuntimeError), transaction.atomic():
        submitted(certificate_service)
        assert Delivery.objects.count() == 1  # written with the act …
        raise RuntimeError("the act fails after its trail entry")
    assert not Delivery.objects.exists() and not Event.objects.exists()  # … and gone with it


def test_a_receiver_down_is_retried_with_backoff_and_order_per_subject_is_kept(world, gate, receiver,
                                                                               certificate_service, submitted):
    from tongban.cases import services as cases

    case = submitted(certificate_service)
    cases.withdraw(actor=world.applicant, case=case, reason="填错了")  # a second event, same subject
    receiver.answers = [503]
    tally = _relay()
    assert tally.failed == 1 and tally.delivered == 0  # the second waited behind the first
    first, second = Delivery.objects.order_by("event_id")
    assert first.status == S.FAILED and first.next_attempt_at > timezone.now() and second.status == S.PENDING
    _relay()
    assert receiver.got == []  # not due yet: no hammering
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert _relay().delivered == 2
    assert [e["type"] for e in receiver.got] == ["case.submitted", "case.withdrawn"]


def test_a_delivery_failing_for_a_day_is_given_up_and_the_administrators_are_told(world, gate, receiver,
                                                                                  certificate_service, submitted):
    submitted(certificate_service)
    Delivery.objects.update(since=timezone.now() - dt.timedelta(hours=27))
    receiver.answers = [500]
    assert _relay().dead == 1
    assert Delivery.objects.get().status == S.DEAD
    alert = Message.objects.filter(recipient=world.sysadmin, event="interop.dead_letter").get()
    assert "门禁系统" in alert.subject


def test_410_gone_is_given_up_at_once(world, gate, receiver, certificate_service, submitted):
    submitted(certificate_service)
    receiver.answers = [410]
    assert _relay().dead == 1


def test_a_dead_letter_is_replayed_from_its_page(world, gate, receiver, certificate_service, submitted, login):
    submitted(certificate_service)
    receiver.answers = [410]
    _relay()
    dead = Delivery.objects.get()
    page = login(world.sysadmin).get("/workbench/interop/dead-letters/")
    assert page.status_code == 200 and "case.submitted" in page.content.decode()
    answer = login(world.sysadmin).post("/workbench/interop/dead-letters/", {"deliveries": [dead.pk]})
    assert answer.status_code == 302
    dead.refresh_from_db()
    assert dead.status in {S.PENDING, S.DELIVERED}
    _relay()
    dead.refresh_from_db()
    assert dead.status == S.DELIVERED and len(receiver.got) == 1


def test_the_receiver_s_library_refuses_a_replayed_delivery(world, gate, certificate_service, submitted):
    submitted(certificate_service)
    pending = Delivery.objects.select_related("event", "subscription").get()
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    body, headers = delivery.signed(pending, now=long_ago)
    with pytest.raises(WebhookVerificationError):
        Webhook(gate.secret).verify(body, headers)  # its timestamp is too old
    body, headers = delivery.signed(pending)
    assert json.loads(body)["type"] == "case.submitted"
    Webhook(gate.secret).verify(body, headers)


def test_subscribing_needs_the_scope_a_known_event_type_and_a_web_address(world, receiver):
    reader, _ = services.register_client(actor=world.sysadmin, name="只读", kind="business",
                                         scopes=["people:read"], units=[world.econ])
    with pytest.raises(ApplicationError) as refused:
        services.subscribe(actor=world.sysadmin, client=reader, url=receiver.url, event_types=["case.*"])
    assert refused.value.code == "scope_missing"
    listener, _ = services.register_client(actor=world.sysadmin, name="监听", kind="business",
                                           scopes=["events:receive"], units=[world.econ])
    for url, types, field in [(receiver.url, ["case.exploded"], "event_types"), (receiver.url, [], "event_types"),
                              ("ftp://example.org/", ["case.*"], "url")]:
        with pytest.raises(ApplicationError) as refused:
            services.subscribe(actor=world.sysadmin, client=listener, url=url, event_types=types)
        assert refused.value.field == field


def test_the_subscribe_page_shows_the_signing_secret_once_and_the_log(world, receiver, login):
    client, _ = services.register_client(actor=world.sysadmin, name="门禁系统", kind="gate",
                                         scopes=["events:receive"], units=[world.econ])
    browser = login(world.sysadmin)
    answer = browser.post(f"/workbench/interop/{client.pk}/subscribe/", {"url": "", "event_types": []})
    assert answer.status_code == 400 and set(answer.context["subscribe"].errors) == {"url", "event_types"}
    answer = browser.post(f"/workbench/interop/{client.pk}/subscribe/",
                          {"url": receiver.url, "event_types": ["case.completed", "booking.*"]})
    secret = answer.context["secret"]
    assert secret.startswith("whsec_") and secret in answer.content.decode()
    detail = browser.get(f"/workbench/interop/{client.pk}/").content.decode()
    assert secret not in detail and receiver.url in detail


def test_the_demo_receiver_prints_a_verified_event_and_refuses_a_forged_one(world, gate, certificate_service,
                                                                            submitted):
    import io
    import socket
    import time
    import urllib.error
    import urllib.request

    from django.core.management import call_command

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = io.StringIO()
    threading.Thread(target=call_command, args=("webhook-receiver",),
                     kwargs={"port": port, "secret": gate.secret, "stdout": out}, daemon=True).start()
    submitted(certificate_service)
    pending = Delivery.objects.select_related("event", "subscription").get()
    body, headers = delivery.signed(pending)
    deadline = time.monotonic() + 60  # a loaded machine starts the thread late
    while "127.0.0.1" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, headers=headers))
    forged = dict(headers, **{"webhook-signature": "v1,Zm9yZ2Vk"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, headers=forged))
    assert refused.value.code == 400
    assert '"type": "case.submitted"' in out.getvalue() and "拒绝" in out.getvalue()
