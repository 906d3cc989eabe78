"""Opening someone else's case, or a file of it, is a 404 and a refusal on the trail (at
most one entry per person and kind of record every few minutes): for the applicant's
pages, the staff pages and the API alike."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.cases.models import Attachment


def _refusals():
    return list(AuditEntry.objects.filter(action="access.refused").order_by("seq")
                .values_list("actor_id", "object_type", "object_id"))


@pytest.fixture
def case(world, certificate_service, submitted):
    return submitted(certificate_service)


def test_another_applicants_case_is_refused_on_the_trail_once_per_window(world, login, case):
    client = login(world.outsider)
    for _ in range(3):
        assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert _refusals() == [(world.outsider.pk, "cases.case", str(case.pk))]


def test_a_case_outside_a_staff_members_reach_is_refused_on_the_trail(world, login, case):
    assert login(world.clerk).get(f"/workbench/cases/{case.pk}/").status_code == 404
    assert _refusals() == [(world.clerk.pk, "cases.case", str(case.pk))]


def test_a_file_of_another_case_through_ones_own_is_refused_as_a_file(world, login, case, certificate_service):
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user, grant_role
    from tongban.cases import services
    from tongban.people.services import link_account

    student = create_user(actor=None, username="another_student", password="x-long-password", display_name="同学乙")
    grant_role(actor=None, user=student, role=Role.APPLICANT, org_unit=world.econ)
    link_account(actor=None, person=world.person(name="同学乙"), user=student)
    mine = services.start_application(actor=student, item=certificate_service)
    other_file = Attachment.objects.get(case=case)
    assert login(student).get(f"/cases/{mine.pk}/files/{other_file.pk}/").status_code == 404
    assert _refusals() == [(student.pk, "cases.attachment", str(other_file.pk))]


def test_a_case_number_that_names_nothing_is_no_refusal(world, login):
    assert login(world.outsider).get("/cases/987654/").status_code == 404
    assert _refusals() == []


def test_ones_own_case_opens_without_a_refusal(world, login, case):
    assert login(world.applicant).get(f"/cases/{case.pk}/").status_code == 200
    assert _refusals() == []
