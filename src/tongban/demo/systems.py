"""The demo's other systems (三通): an education platform that reads people, pushes
to-dos and receives case events, and a gate-access system that takes approved returns
to campus (返校申请) and answers with its own reference. Both deliver to the tiny
receiver shipped as `tongban webhook-receiver`; `systems_to_print` says how to start it."""

from __future__ import annotations

from tongban.accounts.models import OrgUnit, User
from tongban.catalog.models import ServiceItem
from tongban.interop import services
from tongban.interop.models import ApiClient, Subscription

RECEIVER = "http://127.0.0.1:9000/"
GATE_RECEIVER = "http://127.0.0.1:9001/"


def seed_systems(admin: User, units: dict[str, OrgUnit]) -> list[tuple[str, str]]:
    """Register the two demo systems once (seeding again changes nothing) and return, for
    each new client, its name and its secret (shown once: printed by seed-demo)."""
    made = []
    university = [units["univ"]]
    if not ApiClient.objects.filter(name="教务平台").exists():  # i18n: data
        client, secret = services.register_client(
            actor=admin, name="教务平台", kind=ApiClient.Kind.EDUCATION,  # i18n: data
            scopes=["people:read", "cases:read", "events:receive", "todos:write", "feed:read"],
            units=university, rate_per_minute=600)
        services.subscribe(actor=admin, client=client, url=RECEIVER,
                           event_types=["case.submitted", "case.completed"])
        made.append((client.name, f"{client.client_id}:{secret}"))
    if not ApiClient.objects.filter(name="门禁系统").exists():  # i18n: data
        client, secret = services.register_client(
            actor=admin, name="门禁系统", kind=ApiClient.Kind.GATE,  # i18n: data
            scopes=["results:write", "events:receive"], units=university, rate_per_minute=120)
        service = ServiceItem.objects.filter(code="return-to-campus").first()
        if service is not None:
            services.add_push_target(actor=admin, client=client, service=service, url=GATE_RECEIVER,
                                     fields=["student_number", "return_date", "valid_until"])
        made.append((client.name, f"{client.client_id}:{secret}"))
    return made


def receivers() -> list[tuple[str, str, str]]:
    """(system, url, the command that starts its receiver) for each demo subscription."""
    rows = []
    for sub in Subscription.objects.filter(url__in=[RECEIVER, GATE_RECEIVER], ended_at__isnull=True) \
            .select_related("client").order_by("pk"):
        port = sub.url.rstrip("/").rsplit(":", 1)[-1]
        command = f".venv/bin/tongban webhook-receiver --port {port} --secret {sub.secret}"
        rows.append((sub.client.name, sub.url, command))
    return rows
