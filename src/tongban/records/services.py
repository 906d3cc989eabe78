"""Every write of the household business archive: the catalog's edits and versions,
and the captures (a case's materials, the applicant's portrait, a person's historical
papers). Each is one function, one transaction, with its trail entry inside it; a
capture's file is removed again when its transaction fails (nothing half kept)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.cases import workflow
from tongban.cases.models import Case, Status
from tongban.cases.uploads import stored_files
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.people.models import Person
from tongban.records import catalog_data, pdfa, plans
from tongban.records.models import Capture, CaseFile, CatalogVersion, Category, SubItem

PORTRAIT = "portrait"
HISTORICAL = "historical"
MAX_PAGES = 40
CAPTURE_KEYS = {"key", "name", "order", "due_days", "required", "min_width", "min_height"}
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def page_max_bytes() -> int:
    return getattr(settings, "RECORDS_PAGE_MAX_BYTES", 15 * 1024 * 1024)


# --- the catalog ---------------------------------------------------------------------
def check_captures(captures) -> None:
    if not isinstance(captures, list):
        raise ApplicationError("bad_captures", _("The capture list must be a list of items"), field="captures")
    seen = set()
    for n, entry in enumerate(captures, 1):
        if not isinstance(entry, dict) or not {"key", "name"} <= entry.keys() or entry.keys() - CAPTURE_KEYS:
            raise ApplicationError("bad_captures", _("Capture item %(n)s needs a key and a name, and only the "
                                                     "known settings") % {"n": n}, field="captures")
        if not KEY.match(str(entry["key"])) or entry["key"] in (PORTRAIT, HISTORICAL) or entry["key"] in seen:
            raise ApplicationError("bad_captures", _("Capture item %(n)s: its key must be lower-case letters, "
                                                     "digits and hyphens, and unique") % {"n": n}, field="captures")
        seen.add(entry["key"])
        for number in ("order", "due_days", "min_width", "min_height"):
            if number in entry and (not isinstance(entry[number], int) or entry[number] < 0):
                raise ApplicationError("bad_captures", _("Capture item %(n)s: %(what)s must be a whole number")
                                       % {"n": n, "what": number}, field="captures")


def check_materials(materials) -> None:
    if not isinstance(materials, list) or not all(isinstance(m, dict) and isinstance(m.get("name"), str)
                                                  and m["name"].strip() for m in materials):
        raise ApplicationError("bad_materials", _("Each required material needs a name"), field="materials")


def _full_clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError("invalid", "; ".join(messages), field=field) from exc


def save_category(*, actor: User, category: Category, changed: Sequence[str]) -> Category:
    """Save a category of the catalog (by whoever manages the catalog); on the trail.
    The published version is not touched: `publish_catalog` freezes a new one."""
    authorize(actor, Action.CATALOG_MANAGE)
    _full_clean(category)
    with transaction.atomic():
        created = category.pk is None
        category.save()
        record(actor=actor, action="records.category_create" if created else "records.category_change", obj=category,
               summary=_("Household business category saved: %(name)s") % {"name": category.name},
               details={"fields": list(changed)})
    return category


def save_sub_item(*, actor: User | None, sub_item: SubItem, changed: Sequence[str]) -> SubItem:
    """Save a sub-item of the catalog: its materials and capture list checked for
    shape (refused naming the field). On the trail with the fields changed. `actor`
    None: the system (the demo linking its services)."""
    if actor is not None:
        authorize(actor, Action.CATALOG_MANAGE)
    check_materials(sub_item.materials)
    check_captures(sub_item.captures)
    _full_clean(sub_item)
    with transaction.atomic():
        created = sub_item.pk is None
        sub_item.save()
        record(actor=actor, action="records.sub_item_create" if created else "records.sub_item_change",
               obj=sub_item, summary=_("Household business sub-item saved: %(name)s") % {"name": sub_item.name},
               details={"fields": list(changed), "code": sub_item.service_code})
    return sub_item


def publish_catalog(*, actor: User | None) -> CatalogVersion:
    """Freeze the catalog as it stands into the next version; cases bind to the
    version current at their first capture. `actor` None: the loader at setup."""
    if actor is not None:
        authorize(actor, Action.CATALOG_MANAGE)
    with transaction.atomic():
        last = CatalogVersion.objects.select_for_update().order_by("-number").first()
        config = catalog_data.snapshot(Category.objects.prefetch_related("sub_items").order_by("order", "code"))
        version = CatalogVersion.objects.create(number=(last.number + 1) if last else 1, config=config,
                                                published_by=actor)
        record(actor=actor, action="records.catalog_publish", obj=version,
               summary=_("Household business catalog published as version %(number)s") % {"number": version.number},
               details={"sub_items": sum(len(c["sub_items"]) for c in config["categories"])})
    return version


def load_catalog(*, actor: User | None) -> tuple[int, int]:
    """The shipped catalog's rows the database lacks, then a new version if any was
    made (see catalog_data.load)."""
    with transaction.atomic():
        made = catalog_data.load(Category, SubItem)
        if any(made) or not CatalogVersion.objects.exists():
            publish_catalog(actor=actor)
    return made


# --- captures ------------------------------------------------------------------------
def _read_pages(uploads: Sequence, digests: Sequence[str]) -> list[pdfa.Page]:
    if not uploads:
        raise ApplicationError("no_pages", _("Capture or choose at least one page"), field="pages")
    if len(uploads) > MAX_PAGES:
        raise ApplicationError("too_many_pages", _("At most %(count)s pages per capture") % {"count": MAX_PAGES},
                               field="pages")
    if digests and len(digests) != len(uploads):
        raise ApplicationError("incomplete", _("Some pages did not arrive (the upload was interrupted); send them "
                                               "again"), field="pages")
    pages = []
    limit = page_max_bytes()
    for n, upload in enumerate(uploads, 1):
        if upload.size > limit:
            raise ApplicationError("too_large", _("Page %(number)s (%(name)s) is larger than %(limit)s MB")
                                   % {"number": n, "name": upload.name, "limit": limit // (1024 * 1024)},
                                   field="pages")
        upload.seek(0)
        data = b"".join(upload.chunks())
        page = pdfa.read_page(data, name=upload.name, number=n, max_bytes=limit)
        if digests and digests[n - 1].lower() != page.sha256:
            raise ApplicationError("incomplete", _("Page %(number)s arrived altered or incomplete (the upload was "
                                                   "interrupted); send it again") % {"number": n}, field="pages")
        pages.append(page)
    return pages


def _render(pages: list[pdfa.Page], *, min_width: int, min_height: int, title: str, author: str,
            now) -> tuple[bytes, int, bool]:
    """(the file, its page count, whether it is PDF/A): images into one PDF/A; a
    single PDF (a scan) kept as it was sent once it is found safe."""
    if any(p.kind == "pdf" for p in pages):
        if len(pages) > 1:
            raise ApplicationError("mixed_pages", _("Send either images, or one PDF, not both"), field="pages")
        count = pdfa.check_pdf(pages[0], number=1)
        return pages[0].data, count, False
    images = pdfa.check_images(pages, min_width=min_width, min_height=min_height)
    return pdfa.to_pdfa(images, title=title, author=author, created=now), len(images), True


def _store(capture: Capture, content: bytes, stored: list) -> None:
    capture.sha256 = hashlib.sha256(content).hexdigest()
    capture.size = len(content)
    capture.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
    stored.append(capture.file)


def _capturer(actor: User, case: Case) -> None:
    authorize(actor, Action.CASE_PREPARE, unit=case.org_unit)
    if actor.pk in workflow.parties(case):
        raise NotAllowed("own_case", _("You cannot capture for an application you submitted or that is "
                                             "about you."))


def capture_refusal(actor: User, case: Case) -> ApplicationError | None:
    """Why `actor` may not capture for `case` now, or None (the rule of `capture`)."""
    try:
        _capturer(actor, case)
    except NotAllowed as refused:
        return refused
    if case.status == Status.DRAFT:
        return StateConflict("not_submitted", _("The application is not submitted yet"))
    return None


def _bind_file(case: Case) -> None:
    """The case's archive file, frozen from the current version, on its first capture."""
    if CaseFile.objects.filter(case=case).exists():
        return
    version, sub_item = plans.current_sub_item(case)
    if version is not None and sub_item is not None:
        CaseFile.objects.create(case=case, version=version, sub_item=sub_item)


def capture(*, actor: User, case: Case, item_key: str, pages: Sequence, device: str = "",
            source: str = Capture.Source.CAMERA, digests: Sequence[str] = ()) -> Capture:
    """Capture one item of the case's capture list (or the applicant's on-site
    portrait, `item_key` "portrait", one page) from the pages sent, in their order,
    as one PDF/A. A capture of an item already captured supersedes it (a retake);
    both stay. By whoever may prepare the case's work in its unit (an auxiliary too),
    never a party to the case; refused on a draft. Refused, with the reason, and
    nothing kept: an unknown item, no page, too many, a page not JPEG/PNG/PDF, too
    large, cut off (or not matching its `digests`, the SHA-256 the browser sent), too
    small, too dark, blank, a PDF with JavaScript, embedded files or encryption."""
    if source not in Capture.Source.values:
        raise ApplicationError("bad_source", _("Unknown source"), field="source")
    refusal = capture_refusal(actor, case)
    if refusal is not None:
        raise refusal
    entry: dict[str, Any] | None
    if item_key == PORTRAIT:
        entry = {"key": PORTRAIT, "name": _("On-site portrait of the applicant"), "min_width": 240,
                 "min_height": 320}
        if len(pages) > 1:
            raise ApplicationError("one_portrait", _("The portrait is one picture"), field="pages")
    else:
        entry = next((e for e in plans.capture_items(case) if e["key"] == item_key), None)
        if entry is None:
            raise ApplicationError("unknown_item", _("There is no such item in the capture list"), field="item")
    read = _read_pages(pages, digests)
    now = timezone.now()
    content, count, is_pdfa = _render(read, min_width=entry.get("min_width", pdfa.DEFAULT_MIN_WIDTH),
                                      min_height=entry.get("min_height", pdfa.DEFAULT_MIN_HEIGHT),
                                      title=f"{case.serial} {entry['name']}", author=str(actor), now=now)
    with stored_files() as stored, transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=case.pk)
        refusal = capture_refusal(actor, case)
        if refusal is not None:
            raise refusal
        _bind_file(case)
        due = plans.due_date(case, entry)
        previous = Capture.objects.select_for_update().filter(case=case, item_key=item_key,
                                                              superseded_at__isnull=True).first()
        new = Capture(kind=Capture.Kind.PORTRAIT if item_key == PORTRAIT else Capture.Kind.MATERIAL, case=case,
                      person=plans.subject_of(case), org_unit=case.org_unit, item_key=item_key,
                      item_name=entry["name"][:128], pages=count, pdfa=is_pdfa,
                      page_digests=[p.sha256 for p in read], source=source, device=device.strip()[:200],
                      captured_by=actor, captured_by_name=str(actor)[:150], due_date=due,
                      late=bool(due and timezone.localdate(now) > due))
        _store(new, content, stored)
        if previous is not None:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError as exc:  # another capture of the item was saved at this very moment
            raise StateConflict("captured_meanwhile", _("This item was captured by someone else just now; "
                                                        "reload the page")) from exc
        if previous is not None:
            previous.superseded_by = new
            previous.save(update_fields=["superseded_by"])
        record(actor=actor, action="records.capture", obj=case,
               summary=(_("%(case)s retook “%(item)s” (%(pages)s pages)") if previous else
                        _("%(case)s captured “%(item)s” (%(pages)s pages)"))
               % {"case": case.serial, "item": new.item_name, "pages": count},
               details={"capture": new.pk, "item": item_key, "sha256": new.sha256, "pages": count,
                        "page_sha256": new.page_digests, "source": source, "device": new.device,
                        "late": new.late, "supersedes": previous.pk if previous else None,
                        "after_completion": case.status == Status.COMPLETED})
    return new


def capture_historical(*, actor: User, person: Person, title: str, pages: Sequence, device: str = "",
                       source: str = Capture.Source.UPLOAD, digests: Sequence[str] = ()) -> Capture:
    """Capture a historical paper archive (历史档案) into an existing person's archive,
    with no case: by whoever may prepare work in the person's unit. Refused as
    `capture` refuses a page; a title is required."""
    if source not in Capture.Source.values:
        raise ApplicationError("bad_source", _("Unknown source"), field="source")
    title = title.strip()
    if not title:
        raise ApplicationError("title_required", _("Name the paper captured"), field="title")
    authorize(actor, Action.CASE_PREPARE, unit=person.org_unit)
    read = _read_pages(pages, digests)
    now = timezone.now()
    content, count, is_pdfa = _render(read, min_width=pdfa.DEFAULT_MIN_WIDTH, min_height=pdfa.DEFAULT_MIN_HEIGHT,
                                      title=title, author=str(actor), now=now)
    with stored_files() as stored, transaction.atomic():
        new = Capture(kind=Capture.Kind.HISTORICAL, person=person, org_unit=person.org_unit, item_key=HISTORICAL,
                      item_name=title[:128], pages=count, pdfa=is_pdfa, page_digests=[p.sha256 for p in read],
                      source=source, device=device.strip()[:200], captured_by=actor,
                      captured_by_name=str(actor)[:150])
        _store(new, content, stored)
        new.save()
        record(actor=actor, action="records.capture_historical", obj=person,
               summary=_("Historical archive captured: %(title)s (%(pages)s pages)") % {"title": title, "pages": count},
               details={"capture": new.pk, "sha256": new.sha256, "pages": count, "source": source,
                        "device": new.device})
    return new
