"""What a submission reads: the form's submit reads the case once, locked (not once for
the page and again to lock it), looks up no unit of an earlier stage for stage 1 and
no files when no material is required, and reads a unit's closures once for the
case's deadline and its steps'. The deadlines are the ones workdays counts. A claim
locks its work item, not the case."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services
from tongban.cases.models import Case, WorkItem
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach
from tongban.catalog import workdays
from tongban.catalog.models import Closure, Material
from tongban.conftest import while_another_holds
from tongban.lib import configcache

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def draft(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    return case


def _selects(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]]


def test_the_forms_submit_reads_the_case_once_and_locked(world, draft, login, on_postgres):
    client = login(world.applicant)
    with CaptureQueriesContext(connection) as ran:
        answer = client.post(f"/cases/{draft.pk}/edit/", {"year": "2024", "reported": "否", "action": "submit",
                                                          "csrfmiddlewaretoken": "x", "_shown": "year"})
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{draft.pk}/")
    reads = _selects(ran.captured_queries, "cases_case")
    assert len(reads) == 1
    if on_postgres:
        assert reads[0].endswith('FOR UPDATE OF "cases_case"')
    # stage 1 has no stage before it to take a unit from
    assert _selects(ran.captured_queries, "cases_workitem") == []
    # the closures of the service's unit (the case's deadline) and of the applicant's
    # college (stage 1's), each read once
    assert len(_selects(ran.captured_queries, "catalog_closure")) == 2
    case = Case.objects.get(pk=draft.pk)
    assert (case.status, case.answers["year"], case.answers["reported"]) == ("in_approval", 2024, "否")
    assert "csrfmiddlewaretoken" not in case.answers and "action" not in case.answers


def test_no_files_are_looked_up_when_no_material_is_required(world, certificate_service):
    Material.objects.filter(item=certificate_service).update(required=False)
    from tongban.catalog.services import publish

    publish(actor=None, item=certificate_service)
    certificate_service.refresh_from_db()
    case = services.start_application(actor=world.applicant, item=certificate_service)
    with CaptureQueriesContext(connection) as ran:
        services.submit(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    assert _selects(ran.captured_queries, "cases_attachment") == []
    assert Case.objects.get(pk=case.pk).status == "in_approval"


def test_submitting_a_case_no_longer_editable_leads_to_its_page(world, draft, login):
    services.submit(actor=world.applicant, case=draft, answers={"year": "2024", "reported": "否"})
    answer = login(world.applicant).post(f"/cases/{draft.pk}/edit/",
                                         {"year": "2023", "reported": "否", "action": "submit"})
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{draft.pk}/")
    assert Case.objects.get(pk=draft.pk).answers["year"] == 2024


def test_a_refused_submit_keeps_what_was_typed_as_the_draft(world, certificate_service, login):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    answer = login(world.applicant).post(f"/cases/{case.pk}/edit/",
                                         {"year": "2024", "reported": "否", "action": "submit"})
    assert answer.status_code == 422 and "请上传遗失声明" in answer.content.decode()
    case.refresh_from_db()
    assert (case.status, case.serial, case.answers["year"]) == ("draft", None, 2024)


def test_deadlines_count_as_workdays_does_with_one_closure_read(world, django_assert_num_queries):
    # the unit's own closures and its parent's, around the national day
    Closure.objects.create(org_unit=world.econ, start=D(2026, 10, 12), end=D(2026, 10, 14), reason="搬迁")
    Closure.objects.create(org_unit=world.univ, start=D(2026, 10, 13), end=D(2026, 10, 20), reason="校庆")
    Closure.objects.create(org_unit=world.univ, start=D(2027, 1, 4), end=D(2027, 1, 5), reason="盘点")
    Closure.objects.create(org_unit=world.law, start=D(2026, 10, 9), end=D(2026, 10, 30), reason="别的学院")
    starts = [D(2026, 9, 28) + dt.timedelta(days=n) for n in range(0, 40, 3)]
    for unit in (world.econ, world.law, None):
        expected = {(s, n): workdays.add_working_days(s, n, unit=unit) for s in starts for n in (0, 1, 2, 5, 20)}
        deadlines = workdays.Deadlines()
        assert {(s, n): deadlines.add_working_days(s, n, unit=unit) for s in starts for n in (0, 1, 2, 5, 20)} \
            == expected
    # one act's deadlines of one unit: one read (the process keeps nothing yet)
    expected = [workdays.add_working_days(D(2026, 10, 9), n, unit=world.econ) for n in (5, 2, 20)]
    configcache.clear_all()
    deadlines = workdays.Deadlines()
    with django_assert_num_queries(1):
        assert [deadlines.add_working_days(D(2026, 10, 9), n, unit=world.econ) for n in (5, 2, 20)] == expected
    # the next act counting from the same day reads nothing: the process kept them
    with django_assert_num_queries(0):
        assert [workdays.Deadlines().add_working_days(D(2026, 10, 9), n, unit=world.econ)
                for n in (5, 2, 20)] == expected
    # far beyond what was read: read again, and still exact
    assert deadlines.add_working_days(D(2026, 10, 9), 300, unit=world.econ) == workdays.add_working_days(
        D(2026, 10, 9), 300, unit=world.econ)
    with pytest.raises(ValueError):
        deadlines.add_working_days(D(2026, 10, 9), -1, unit=world.econ)


def test_a_closure_binds_at_once_in_the_process_that_saved_it_and_within_half_a_minute_elsewhere(world,
                                                                                               monkeypatch):
    """The closures deadlines count with are kept per process (lib/configcache.py)."""
    import time

    start = D(2026, 11, 2)  # a Monday
    assert workdays.add_working_days(start, 1, unit=world.econ) == D(2026, 11, 3)
    closure = Closure.objects.create(org_unit=world.univ, start=D(2026, 11, 3), end=D(2026, 11, 3), reason="盘点")
    assert workdays.add_working_days(start, 1, unit=world.econ) == D(2026, 11, 4)

    Closure.objects.filter(pk=closure.pk).update(end=D(2026, 11, 4))  # as another worker's save
    later = time.monotonic() + 31
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert workdays.add_working_days(start, 1, unit=world.econ) == D(2026, 11, 5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_locks_the_work_item_not_its_case(world, certificate_service):
    """While another transaction holds the case's row (the applicant urging, say), a
    claim neither waits for it nor fails: it changes the work item only."""
    case = services.start_application(actor=world.applicant, item=certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    services.submit(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    step = WorkItem.objects.get(case=case, state="open")
    with while_another_holds(Case, case.pk):
        services.claim(actor=world.college_admin, item=step)
    assert WorkItem.objects.get(pk=step.pk).assignee_id == world.college_admin.pk
