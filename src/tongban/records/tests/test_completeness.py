"""Completeness: the case shows its capture list captured / missing / late; a case
does not go on to the next level while a required item is missing; the case page
carries the list and the capture forms, and a capture posted through it is kept."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.cases import services as cases
from tongban.cases.models import Case, Status, WorkItem
from tongban.lib.errors import StateConflict
from tongban.records import services
from tongban.records.models import Capture
from tongban.records.plans import capture_list
from tongban.records.tests.conftest import capture_all, page_image, pages, upload

pytestmark = pytest.mark.django_db


def _states(case, **kwargs) -> dict:
    return {row.entry["key"]: row.state for row in capture_list(case, **kwargs)["rows"]}


def test_the_capture_list_says_what_is_captured_missing_and_late(world, accepted):
    assert set(_states(accepted).values()) == {"missing"}
    services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(1))
    later = timezone.localdate() + dt.timedelta(days=30)
    states = _states(accepted, today=later)
    assert states["property-deed"] == "captured"
    assert states["household-book"] == "overdue"  # due at acceptance, still missing a month on
    Case.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now() - dt.timedelta(days=30))
    accepted.refresh_from_db()
    late = services.capture(actor=world.clerk, case=accepted, item_key="household-book", pages=pages(1))
    assert late.late and _states(accepted)["household-book"] == "late"


def test_a_case_does_not_go_to_the_branch_while_a_required_item_is_missing(world, accepted, station_officer):
    capture_all(accepted, world.clerk, skip={"id-card"})
    item = accepted.work_items.get(state=WorkItem.State.OPEN)
    with pytest.raises(StateConflict) as refused:
        cases.decide(actor=station_officer, item=item, outcome="approve")
    assert refused.value.code == "capture_missing" and "居民身份证" in refused.value.message  # i18n: data
    accepted.refresh_from_db()
    assert (accepted.stage, item.state) == (1, WorkItem.State.OPEN)
    services.capture(actor=world.clerk, case=accepted, item_key="id-card", pages=pages(1))
    case = cases.decide(actor=station_officer, item=item, outcome="approve")
    assert (case.status, case.stage) == (Status.IN_APPROVAL, 2)


def test_an_item_not_required_may_be_missing(world, accepted, station_officer):
    from tongban.records.models import SubItem

    s = SubItem.objects.get(service=accepted.item)
    s.captures = [{**e, "required": e["key"] == "property-deed"} for e in s.captures]
    services.save_sub_item(actor=world.sysadmin, sub_item=s, changed=["captures"])
    services.publish_catalog(actor=world.sysadmin)
    services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(1))
    item = accepted.work_items.get(state=WorkItem.State.OPEN)
    assert cases.decide(actor=station_officer, item=item, outcome="approve").stage == 2


def test_a_service_outside_the_catalog_is_not_held(world, accepted, station_officer):
    from tongban.records.models import SubItem

    s = SubItem.objects.get(service=accepted.item)
    s.service = None
    services.save_sub_item(actor=world.sysadmin, sub_item=s, changed=["service"])
    services.publish_catalog(actor=world.sysadmin)
    item = accepted.work_items.get(state=WorkItem.State.OPEN)
    assert cases.decide(actor=station_officer, item=item, outcome="approve").stage == 2


def test_the_case_page_shows_the_capture_list_and_its_forms(world, accepted, login):
    services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(2))
    page = login(world.clerk).get(f"/workbench/cases/{accepted.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="captures"' in text
    assert "不动产权证书" in text and "records/capture.js" in text and "<script>" not in text  # i18n: data
    assert text.count('class="capture-form"') == len(capture_list(accepted)["rows"]) + 1  # and the portrait


def test_the_branch_approver_sees_the_captures_but_no_capture_form(world, accepted, station_officer, login):
    capture_all(accepted, world.clerk)
    cases.decide(actor=station_officer, item=accepted.work_items.get(state=WorkItem.State.OPEN), outcome="approve")
    client = login(world.approver)
    text = client.get(f"/workbench/cases/{accepted.pk}/").content.decode()
    assert "capture-form" not in text and "PDF/A" in text
    capture = Capture.objects.filter(case=accepted).first()
    answer = client.get(f"/workbench/records/captures/{capture.pk}.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    west_clerk = create_user(actor=None, username="west_clerk", password="x-long-password", display_name="西城窗口")
    grant_role(actor=None, user=west_clerk, role=Role.CLERK, org_unit=world.west)
    assert login(west_clerk).get(f"/workbench/records/captures/{capture.pk}.pdf").status_code == 404


def test_a_capture_posted_from_the_page_with_its_digests_is_kept(world, accepted, login):
    data = [page_image(seed=5), page_image(seed=6)]
    answer = login(world.auxiliary).post(
        f"/workbench/records/cases/{accepted.pk}/capture/",
        {"item": "property-deed", "source": "camera", "device": "fake camera",
         "digests": ",".join(hashlib.sha256(d).hexdigest() for d in data),
         "pages": [upload(d, f"p{n}.jpg") for n, d in enumerate(data)]},
        headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json()["ok"]
    capture = Capture.objects.get(case=accepted)
    assert (capture.pages, capture.source, capture.captured_by) == (2, "camera", world.auxiliary)


def test_a_refused_capture_posted_from_the_page_says_why_and_keeps_nothing(world, accepted, login):
    client = login(world.clerk)
    answer = client.post(f"/workbench/records/cases/{accepted.pk}/capture/",
                         {"item": "property-deed", "source": "upload",
                          "pages": [upload(page_image(lines=False), "blank.jpg")]},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 422 and "空白" in " ".join(answer.json()["errors"]["pages"])
    plain = client.post(f"/workbench/records/cases/{accepted.pk}/capture/",
                        {"item": "property-deed", "source": "upload", "pages": [upload(b"hello", "x.txt")]},
                        follow=True)
    assert plain.status_code == 200 and "不是" in plain.content.decode()
    assert not Capture.objects.exists()


def test_a_historical_paper_is_captured_from_the_persons_archive_page(world, login):
    resident = world.person(unit=world.east_1, name="王居民")  # i18n: data
    client = login(world.clerk)
    assert client.get(f"/workbench/records/people/{resident.pk}/").status_code == 200
    answer = client.post(f"/workbench/records/people/{resident.pk}/",
                         {"title": "", "source": "upload", "pages": pages(1)})
    assert answer.status_code == 422
    answer = client.post(f"/workbench/records/people/{resident.pk}/",
                         {"title": "户口迁移证存根", "source": "upload", "pages": pages(1)})  # i18n: data
    assert answer.status_code == 302
    assert Capture.objects.get(person=resident).kind == "historical"
    west_clerk = create_user(actor=None, username="west_clerk", password="x-long-password", display_name="西城窗口")
    grant_role(actor=None, user=west_clerk, role=Role.CLERK, org_unit=world.west)
    assert login(west_clerk).get(f"/workbench/records/people/{resident.pk}/").status_code == 404
