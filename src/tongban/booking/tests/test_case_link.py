"""A service configured to need an appointment is submitted only with a booking linked
to the application; the booking page carries the case and refuses someone else's."""

import datetime as dt

import pytest

from tongban.booking import services
from tongban.booking.models import Booking
from tongban.booking.tests.conftest import MONDAY, slot
from tongban.cases import services as cases
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach
from tongban.catalog.services import publish
from tongban.lib.errors import ApplicationError, NotAllowed


@pytest.fixture
def needs_booking(desk):
    desk.id_card.booking_required = True
    desk.id_card.save()
    publish(actor=None, item=desk.id_card)
    desk.id_card.refresh_from_db()
    return desk


def test_submission_waits_for_a_linked_booking(world, needs_booking):
    case = cases.start_application(actor=world.applicant, item=needs_booking.id_card)
    with pytest.raises(ApplicationError) as refused:
        cases.submit(actor=world.applicant, case=case)
    assert refused.value.field == "booking"
    booking = services.book(actor=world.applicant, slot=slot(needs_booking.resource, MONDAY + dt.timedelta(days=1), 9),
                            service=needs_booking.id_card, case=case)
    assert booking.case_id == case.pk
    attach(actor=world.applicant, case=case, material_key="id_card", upload=pdf())
    assert cases.submit(actor=world.applicant, case=case).status != "draft"


def test_the_booking_page_links_the_case_and_only_ones_own(world, needs_booking, login):
    case = cases.start_application(actor=world.applicant, item=needs_booking.id_card)
    target = slot(needs_booking.resource, MONDAY + dt.timedelta(days=1), 10)
    client = login(world.applicant)
    page = client.get(f"/booking/{needs_booking.resource.pk}/", {"case": case.pk})
    assert page.status_code == 200 and f'name="case" value="{case.pk}"' in page.content.decode()
    client.post(f"/booking/{needs_booking.resource.pk}/", {"case": case.pk, "service": needs_booking.id_card.pk,
                                                           "slot": target.pk})
    assert Booking.objects.get().case_id == case.pk
    assert login(world.outsider).get(f"/booking/{needs_booking.resource.pk}/", {"case": case.pk}).status_code == 404


def test_a_booking_cannot_name_another_service_s_case(world, needs_booking):
    case = cases.start_application(actor=world.applicant, item=needs_booking.id_card)
    with pytest.raises(NotAllowed):
        services.book(actor=world.applicant, slot=slot(needs_booking.resource, MONDAY + dt.timedelta(days=1), 9),
                      service=needs_booking.proof, case=case)


def test_a_booking_cannot_name_an_application_already_withdrawn(world, needs_booking):
    case = cases.start_application(actor=world.applicant, item=needs_booking.id_card)
    cases.withdraw(actor=world.applicant, case=case)
    case.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.book(actor=world.applicant, slot=slot(needs_booking.resource, MONDAY + dt.timedelta(days=1), 9),
                      service=needs_booking.id_card, case=case)
    assert refused.value.code == "case_closed"
    assert not Booking.objects.exists()
