"""Supervision links work: the overdue escalation a supervisor is sent opens the case
for a supervisor in scope (and for no one outside it), as do the 督办 tab's rows; and
the urge (催办) button is shown exactly when urging is taken, by the one rule
(`rules.urge_refusal`) the page, the API's `actions` and the service all ask."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.cases import rules, services
from tongban.cases.models import Case, WorkItem
from tongban.lib.errors import StateConflict
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(certificate_service, submitted):
    return submitted(certificate_service)


def _supervisor(username, unit):
    user = create_user(actor=None, username=username, password="x-long-password")
    grant_role(actor=None, user=user, role=Role.SUPERVISOR, org_unit=unit)
    return user


def _past_due(case, days=1):
    WorkItem.objects.filter(case=case).update(due_date=timezone.localdate() - dt.timedelta(days=days))


def test_the_overdue_escalation_link_opens_the_case_for_the_supervisor_it_was_sent_to(world, case, login):
    dean = _supervisor("dean", world.econ)
    president = _supervisor("president", world.univ)
    _past_due(case)
    services.flag_overdue()
    for boss in (dean, president):
        message = Message.objects.get(event="case.overdue", channel="inbox", recipient=boss)
        page = login(boss).get(message.link)
        assert page.status_code == 200 and case.serial in page.content.decode()
        assert 'name="outcome"' not in page.content.decode()  # follows the case, decides nothing


def test_a_supervisor_outside_the_case_does_not_open_it(world, case, login):
    _past_due(case)
    chief = _supervisor("city_chief", world.city)
    services.flag_overdue()
    assert not Message.objects.filter(event="case.overdue", recipient=chief).exists()
    assert login(chief).get(f"/workbench/cases/{case.pk}/").status_code == 404
    assert login(_supervisor("law_dean", world.law)).get(f"/workbench/cases/{case.pk}/").status_code == 404


def test_every_row_of_the_supervise_tab_opens(world, case, login):
    _past_due(case, days=3)
    client = login(_supervisor("president", world.univ))
    page = client.get("/workbench/todo/?tab=supervise").content.decode()
    link = f"/workbench/cases/{case.pk}/"
    assert link in page and client.get(link).status_code == 200


def _shown(client, case) -> tuple[bool, bool]:
    """Whether the case page shows the urge button, and the API's `actions` say urge."""
    page = client.get(f"/cases/{case.pk}/").content.decode()
    api = client.get(f"/api/v1/applications/{case.pk}").json()
    return f"/cases/{case.pk}/urge/" in page, api["actions"]["urge"]


def _urged(world, case) -> bool:
    try:
        services.urge(actor=world.applicant, case=case)
    except StateConflict:
        return False
    return True


@pytest.mark.parametrize("arrange", ["on_time", "step_overdue", "promised_date_passed", "urged_an_hour_ago",
                                     "urged_yesterday", "completed", "withdrawn"])
def test_the_urge_button_is_shown_exactly_when_urging_is_taken(world, case, login, arrange):
    now = timezone.now()
    changes = {
        "on_time": {},
        "step_overdue": None,
        "promised_date_passed": {"due_date": timezone.localdate() - dt.timedelta(days=1)},
        "urged_an_hour_ago": {"last_urged_at": now - dt.timedelta(hours=1)},
        "urged_yesterday": {"last_urged_at": now - dt.timedelta(hours=25)},
        "completed": {"status": "completed"},
        "withdrawn": {"status": "withdrawn"},
    }[arrange]
    if arrange != "on_time":
        _past_due(case)
    if changes:
        Case.objects.filter(pk=case.pk).update(**changes)
    fresh = Case.objects.get(pk=case.pk)
    expected = rules.urge_refusal(fresh) is None
    assert expected == (arrange in ("step_overdue", "promised_date_passed", "urged_yesterday"))
    client = login(world.applicant)
    assert _shown(client, fresh) == (expected, expected)
    assert _urged(world, fresh) is expected
    # once urged, the button goes until the interval has passed
    assert _shown(client, fresh) == (False, False)


def test_a_case_waiting_for_acceptance_shows_the_urge_button_only_past_its_five_days(world, residence_service, login):
    from tongban.cases.tests.conftest import pdf
    from tongban.cases.uploads import attach

    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门路 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    case = services.submit(actor=world.applicant, case=case)
    client = login(world.applicant)
    assert _shown(client, case) == (False, False)
    Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - dt.timedelta(days=14))
    case = Case.objects.get(pk=case.pk)
    assert _shown(client, case) == (True, True)
    assert client.post(f"/cases/{case.pk}/urge/").status_code == 302
    assert _shown(client, case) == (False, False)
