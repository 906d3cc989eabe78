"""Capture at the window: each item's pages become one PDF/A with its SHA-256, who,
when and with what; a retake supersedes and both stay; the portrait once per case;
historical papers into a person's archive without a case; bad pages refused with the
reason and nothing kept."""

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest

from tongban.audit.models import AuditEntry
from tongban.cases import services as cases
from tongban.cases.models import WorkItem
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.records import services
from tongban.records.models import Capture
from tongban.records.tests.conftest import page_image, pages, upload

pytestmark = pytest.mark.django_db


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "records"  # the case's own uploads lie beside it
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_pages_of_an_item_become_one_pdfa_with_its_digest_and_who_captured_it(world, accepted):
    sent = pages(3)
    capture = services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=sent,
                               device="Eloam S500 document camera", source="camera")
    data = capture.file.read()
    assert capture.sha256 == hashlib.sha256(data).hexdigest() and capture.size == len(data)
    assert (capture.pages, capture.pdfa, capture.captured_by, capture.device) == (
        3, True, world.clerk, "Eloam S500 document camera")
    assert capture.page_digests == [hashlib.sha256(page_image(seed=n)).hexdigest() for n in (1, 2, 3)]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 3
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
    entry = AuditEntry.objects.get(action="records.capture")
    assert entry.details["sha256"] == capture.sha256 and entry.details["device"] == capture.device


def test_a_retake_supersedes_the_capture_and_both_stay(world, accepted):
    first = services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(1))
    second = services.capture(actor=world.auxiliary, case=accepted, item_key="property-deed", pages=pages(2))
    first.refresh_from_db()
    assert first.superseded_by == second and first.superseded_at is not None
    assert Capture.objects.filter(case=accepted, item_key="property-deed").count() == 2
    assert first.file.read() and AuditEntry.objects.filter(action="records.capture").count() == 2


def test_auxiliary_staff_may_capture_but_never_approve(world, accepted):
    from tongban.records.tests.conftest import capture_all

    capture_all(accepted, world.auxiliary)
    item = accepted.work_items.get(state=WorkItem.State.OPEN)
    with pytest.raises(NotAllowed):
        cases.decide(actor=world.auxiliary, item=item, outcome="approve")
    with pytest.raises(NotAllowed):
        cases.accept(actor=world.auxiliary, case=accepted)


def test_someone_outside_the_station_cannot_capture(world, accepted):
    with pytest.raises(NotAllowed):
        services.capture(actor=world.college_admin, case=accepted, item_key="property-deed", pages=pages(1))
    assert not Capture.objects.exists()


def test_the_portrait_is_one_picture_and_a_retake_supersedes_it(world, accepted):
    with pytest.raises(ApplicationError) as refused:
        services.capture(actor=world.clerk, case=accepted, item_key="portrait", pages=pages(2))
    assert refused.value.code == "one_portrait"
    first = services.capture(actor=world.clerk, case=accepted, item_key="portrait", pages=pages(1))
    second = services.capture(actor=world.clerk, case=accepted, item_key="portrait", pages=pages(1))
    first.refresh_from_db()
    assert first.kind == Capture.Kind.PORTRAIT and first.superseded_by == second


def test_an_unknown_item_is_refused(world, accepted):
    with pytest.raises(ApplicationError) as refused:
        services.capture(actor=world.clerk, case=accepted, item_key="nothing-such", pages=pages(1))
    assert refused.value.code == "unknown_item"


def test_historical_papers_are_captured_into_a_persons_archive_without_a_case(world):
    resident = world.person(unit=world.east_1, name="王居民")  # i18n: data
    title = "1998年常住人口登记表"  # i18n: data
    capture = services.capture_historical(actor=world.clerk, person=resident, title=title, pages=pages(2))
    assert (capture.case, capture.person, capture.kind, capture.pages) == (None, resident, "historical", 2)
    assert AuditEntry.objects.filter(action="records.capture_historical", object_id=str(resident.pk)).exists()
    with pytest.raises(NotAllowed):  # a person outside the clerk's units
        services.capture_historical(actor=world.clerk, person=world.applicant_person, title="x", pages=pages(1))


@pytest.mark.parametrize(("page", "code"), [
    (page_image(lines=False), "blank"),
    (page_image(colour=(10, 10, 10), ink=(25, 25, 25)), "too_dark"),
    (page_image(400, 300), "too_small"),
    (b"GIF89a" + b"\x00" * 100, "bad_type"),
    (page_image()[:-2000], "incomplete"),
])
def test_a_bad_page_is_refused_with_the_reason_and_nothing_is_kept(world, accepted, settings, page, code):
    with pytest.raises(ApplicationError) as refused:
        services.capture(actor=world.clerk, case=accepted, item_key="property-deed",
                         pages=[*pages(1), upload(page, "bad.jpg")])
    assert refused.value.code == code and refused.value.field == "pages"
    assert "2" in refused.value.message  # which page
    assert not Capture.objects.exists() and not _stored_files(settings)


def test_a_page_larger_than_the_limit_is_refused(world, accepted, settings):
    settings.RECORDS_PAGE_MAX_BYTES = 10_000
    with pytest.raises(ApplicationError) as refused:
        services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(1))
    assert refused.value.code == "too_large"


def test_a_page_not_matching_the_digest_the_browser_sent_is_refused(world, accepted):
    with pytest.raises(ApplicationError) as refused:
        services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(1),
                         digests=["0" * 64])
    assert refused.value.code == "incomplete"


def _pdf(build) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    build(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _javascript(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))


def _embedded(pdf):
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ...")


@pytest.mark.parametrize(("build", "reason"), [(_javascript, "JavaScript"), (_embedded, "embedded")])
def test_a_pdf_with_javascript_or_embedded_files_is_refused_with_the_reason(world, accepted, build, reason):
    with pytest.raises(ApplicationError) as refused:
        services.capture(actor=world.clerk, case=accepted, item_key="property-deed",
                         pages=[upload(_pdf(build), "scan.pdf", "application/pdf")])
    assert refused.value.code == "pdf_unsafe"
    assert not Capture.objects.exists()


def test_a_clean_scanned_pdf_is_kept_as_sent(world, accepted):
    scan = _pdf(lambda pdf: None)
    capture = services.capture(actor=world.clerk, case=accepted, item_key="property-deed",
                               pages=[upload(scan, "scan.pdf", "application/pdf")], source="upload")
    assert (capture.pages, capture.pdfa, capture.file.read()) == (1, False, scan)


def test_a_failure_while_storing_leaves_no_row_and_no_file(world, accepted, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("tongban.records.services.record", broken)
    with pytest.raises(RuntimeError):
        services.capture(actor=world.clerk, case=accepted, item_key="property-deed", pages=pages(1))
    assert not Capture.objects.exists() and not _stored_files(settings)


def test_a_draft_cannot_be_captured(world, move_in):
    draft = cases.start_application(actor=world.applicant, item=move_in)
    with pytest.raises(StateConflict):
        services.capture(actor=world.clerk, case=draft, item_key="property-deed", pages=pages(1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_capturing_one_item_at_once_leave_one_current_capture_and_both_on_record(world, accepted):
    from django.db import connection

    from tongban.conftest import at_once, failures

    connection.close()  # each thread takes its own connection
    outcomes = at_once(2, lambda n: services.capture(actor=[world.clerk, world.auxiliary][n], case=accepted,
                                                     item_key="property-deed", pages=pages(1)).pk)
    assert failures(outcomes) == []
    rows = Capture.objects.filter(case=accepted, item_key="property-deed")
    assert rows.count() == 2 and rows.filter(superseded_at__isnull=True).count() == 1
    older = rows.exclude(superseded_at__isnull=True).get()
    assert older.superseded_by_id in outcomes
