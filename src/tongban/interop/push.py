"""Effects that call out: a service whose effect is `interop.push` sends each completed
case to the systems configured as its push targets (a gate system gets the person and
the period of a return to campus). The push is an event like any other — written with
the completion, signed, retried, in order — and the receiver's answer goes on the case:
`{"accepted": true, "reference": "…"}` is an acknowledgement; `accepted: false`, or
silence until the delivery is given up, is a refusal the case's staff are told of."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalog import effects
from tongban.interop.scopes import Scope

EVENT_TYPE = "case.pushed"


def _person(case):
    return case.subject_person or getattr(case.applicant, "person", None)


def payload(case, subscription) -> dict:
    person = _person(case)
    full_id = Scope.PEOPLE_READ_ID in subscription.client.scopes
    data = {"case": {"serial": case.serial, "service": case.item.code, "status": case.status},
            "answers": {key: case.answers.get(key) for key in subscription.fields if key in case.answers}}
    if person is not None:
        data["person"] = {"name": person.name, "student_number": person.student_number,
                          "unit_code": person.org_unit.code,
                          "id_number": person.plain_id_number() if full_id else person.id_number_masked}
    return data


@effects.register("interop.push", gettext_lazy("Push to the systems configured for the service"))
def push_completed(*, case, actor) -> None:
    from tongban.interop.models import Delivery, Event, Subscription
    from tongban.interop.tasks import deliver_soon

    targets = list(Subscription.objects.filter(service=case.item, ended_at=None, client__revoked_at=None)
                   .select_related("client"))
    subject = f"cases.case/{case.pk}"
    for target in targets:
        event = Event.objects.create(type=EVENT_TYPE, subject=subject, unit=case.org_unit,
                                     data=payload(case, target))
        Delivery.objects.create(event=event, subscription=target, subject=subject, since=event.occurred_at,
                                next_attempt_at=event.occurred_at)
    if targets:
        transaction.on_commit(deliver_soon)


def _case_of(delivery):
    from tongban.cases.models import Case

    return Case.objects.select_related("org_unit").get(pk=int(delivery.subject.rsplit("/", 1)[1]))


def _label(delivery, accepted: bool) -> str:
    system = delivery.subscription.client.name
    return (_("Accepted by %(system)s") if accepted else _("Refused by %(system)s")) % {"system": system}


def answered(delivery, body: bytes) -> None:
    """A push target answered 2xx: its acknowledgement or refusal goes on the case."""
    from tongban.cases.services import note_external_answer

    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    answer = answer if isinstance(answer, dict) else {}
    accepted = answer.get("accepted", True) is not False
    detail = str(answer.get("reference" if accepted else "reason") or "")
    case = _case_of(delivery)
    note_external_answer(case=case, label=_label(delivery, accepted), accepted=accepted, detail=detail)
    if not accepted:
        _alert(delivery, case, detail or _("refused without a reason"))


def silent(delivery) -> None:
    """A push target never answered within the retries: the case's staff are told."""
    from tongban.cases.services import note_external_answer

    case = _case_of(delivery)
    note_external_answer(case=case, label=_label(delivery, False), accepted=False, detail=_("no answer"))
    _alert(delivery, case, _("no answer"))


def _alert(delivery, case, why: str) -> None:
    from django.urls import reverse

    from tongban.accounts.models import User
    from tongban.accounts.roles import STAFF_ROLES
    from tongban.notify.services import notify

    staff = User.objects.filter(memberships__org_unit=case.org_unit, memberships__role__in=STAFF_ROLES,
                                is_active=True).distinct()
    with transaction.atomic():
        notify(event="interop.push_refused", recipients=list(staff), key=f"push-refused:{delivery.pk}",
               context={"client": delivery.subscription.client.name, "serial": case.serial, "why": why},
               link=reverse("cases:staff-detail", args=[case.pk]), obj=case)
