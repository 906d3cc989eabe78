"""A submission holds the two locks every other submission waits for (the serial
counter's row and, on PostgreSQL, the audit chain's) for as short a time as it can:
the serial is taken after the work items are made, the audit entries are the act's
last write; and the form's last answers go in with the submission, in one transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.audit.models import AuditEntry
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach
from tongban.lib.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    return case


def _writes(queries) -> list[str]:
    """The table each write (or the chain's lock) of the captured queries is on."""
    tables = []
    for query in queries:
        sql = query["sql"].split(" times: ", 1)[-1]  # an executemany is logged as "1 times: INSERT …"
        if "pg_advisory_xact_lock" in sql:
            tables.append("chain lock")
        elif sql.startswith(("INSERT", "UPDATE")):
            tables.append(sql.split('"')[1])
    return tables


def test_the_serial_comes_after_the_work_items_and_the_audit_entry_is_the_last_write(world, draft):
    with CaptureQueriesContext(connection) as ran:
        services.submit(actor=world.applicant, case=draft, answers={"year": "2024", "reported": "否"})

    writes = _writes(ran.captured_queries)
    assert writes.index("cases_serialcounter") > writes.index("cases_workitem")
    last = ["chain lock", "audit_auditentry"] if connection.vendor == "postgresql" else ["audit_auditentry"]
    assert writes[-len(last):] == last
    assert writes.count("audit_auditentry") == 1
    entry = AuditEntry.objects.get(action="case.submit")
    case = Case.objects.get(pk=draft.pk)
    assert (entry.object_id, entry.summary, entry.actor_id) == (str(case.pk), f"{case.serial} 提交申请",
                                                                world.applicant.pk)


def test_the_answers_given_with_the_submission_are_submitted(world, draft):
    services.submit(actor=world.applicant, case=draft, answers={"year": "2024", "reported": "否"})

    case = Case.objects.get(pk=draft.pk)
    assert (case.status, case.answers["year"], case.answers["reported"]) == ("in_approval", 2024, "否")


def test_a_refused_submission_keeps_neither_the_answers_nor_a_serial(world, draft):
    with pytest.raises(ApplicationError) as refused:
        services.submit(actor=world.applicant, case=draft, answers={"year": "2024", "reported": "是"})

    assert refused.value.field == "newspaper"
    case = Case.objects.get(pk=draft.pk)
    assert (case.status, case.serial, case.answers.get("reported")) == ("draft", None, None)
    assert not AuditEntry.objects.filter(action="case.submit").exists()
