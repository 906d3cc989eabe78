"""Files applicants upload: checked by what they contain (magic bytes), not by their
name; stored under a generated name with their SHA-256; never served directly."""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tongban.accounts.models import User
from tongban.audit.services import record
from tongban.cases.models import Attachment, Case, Status
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict

CONTENT_TYPES = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LABELS = {"pdf": "PDF", "jpg": gettext_lazy("JPG image"), "jpeg": gettext_lazy("JPG image"),
          "png": gettext_lazy("PNG image"), "doc": "Word", "docx": "Word",
          "xls": "Excel", "xlsx": "Excel"}


# the extensions a sniffed type may keep from the uploaded name (OLE2 is either)
SAME_KIND = {"jpg": {"jpg", "jpeg"}, "doc": {"doc", "xls"}}
KIND_OF = {content_type: kind for kind, content_type in CONTENT_TYPES.items()}


def download_name(attachment: Attachment) -> str:
    """The name a file is served under: the uploaded name with the extension of the
    type its content was found to be (`sniff`, kept as its content type), never the
    one it was uploaded with: a PNG uploaded as `x.html` is `x.png` (an `.html` the
    browser or the desktop would open as a page)."""
    _path, dot, stored = attachment.file.name.rpartition(".")
    kind = KIND_OF.get(attachment.content_type) or (stored.lower() if dot else "bin")
    stem, dot, extension = attachment.original_name.rpartition(".")
    if not dot:
        stem, extension = attachment.original_name, ""
    if extension.lower() in SAME_KIND.get(kind, {kind}):
        return attachment.original_name
    return f"{stem.strip() or _('Material')}.{kind}"


def sniff(upload) -> str | None:
    """The file's real type from its first bytes ("pdf", "jpg", "png", "docx",
    "xlsx", "doc"/"xls" for old Office files), or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE2: old Word or Excel; accepted for either
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def _allowed(kind: str | None, allowed: list[str]) -> bool:
    if kind is None:
        return False
    wanted = {"jpg" if t == "jpeg" else t for t in allowed}
    if kind == "doc":
        return bool(wanted & {"doc", "xls"})
    return kind in wanted


@contextmanager
def stored_files() -> Iterator[list]:
    """Files put in the list inside the block are removed from storage again when the
    block fails: their rows roll back with it, and a file no row names would stay
    forever. (A transaction around the caller's that rolls back later is the caller's
    to clean.)"""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for file in stored:
            file.delete(save=False)
        raise


def attach(*, actor: User, case: Case, material_key: str, upload) -> Attachment:
    """Store one file for one material of the actor's own case, while the case can
    still be changed (draft, returned) or the material is awaiting supplement.
    Refuses an unknown material, too many files, a file too large, and a file whose
    content is not one of the material's types (whatever its name says)."""
    if case.applicant_id != actor.pk:
        raise NotAllowed("not_yours", _("You can only upload materials to your own applications."))
    material = next((m for m in case.config["materials"] if m["key"] == material_key), None)
    if material is None:
        raise ApplicationError("unknown_material", _("There is no such material"), field="material")
    if upload.size > settings.CASE_UPLOAD_MAX_BYTES:
        limit = settings.CASE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ApplicationError("too_large", _("%(material)s: a file cannot be larger than %(limit)s MB")
                               % {"material": material["name"], "limit": limit}, field=material_key)
    kind = sniff(upload)
    if not _allowed(kind, material["file_types"]):
        wanted = pgettext("list separator", ", ").join(dict.fromkeys(str(LABELS.get(t, t))
                                                                     for t in material["file_types"]))
        raise ApplicationError("bad_type", _("%(material)s: only %(types)s files are taken (by their content)")
                               % {"material": material["name"], "types": wanted}, field=material_key)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with stored_files() as stored, transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        editable = case.status in (Status.DRAFT, Status.RETURNED)
        supplementing = case.status == Status.IN_APPROVAL and material_key in case.deficiencies
        if not (editable or supplementing):
            raise StateConflict("not_editable", _("Materials cannot be uploaded to the case now"))
        files = case.attachments.filter(material_key=material_key)
        if supplementing and case.accepted_at:
            # accepted as deficient (missing or not acceptable): the files it had then
            # stay on record, and the supplement counts afresh beside them
            files = files.filter(uploaded_at__gte=case.accepted_at)
        if files.count() >= material["max_files"]:
            raise ApplicationError("too_many", _("%(material)s takes at most %(count)s files")
                                   % {"material": material["name"], "count": material["max_files"]}, field=material_key)
        attachment = Attachment(case=case, material_key=material_key, original_name=upload.name[:200],
                                content_type=CONTENT_TYPES.get(kind, "application/octet-stream"), size=upload.size,
                                sha256=digest.hexdigest(), uploaded_by=actor)
        attachment.file.save(f"{uuid.uuid4().hex}.{kind}", upload, save=False)
        stored.append(attachment.file)
        attachment.save()
        record(actor=actor, action="case.attach", obj=case,
               summary=_("Uploaded material: %(material)s") % {"material": material["name"]},
               details={"material": material_key, "sha256": attachment.sha256, "size": attachment.size})
    return attachment


def remove(*, actor: User, attachment: Attachment) -> None:
    """Delete one file of the actor's own case while the case can still be changed
    (draft, returned). The state is read under the case's lock: a page read before a
    submission or a decision cannot take a file from a case that has moved on (and
    left a completed case without its material)."""
    if attachment.case.applicant_id != actor.pk:
        raise NotAllowed("not_yours", _("You can only delete materials you uploaded."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=attachment.case_id)
        if case.status not in (Status.DRAFT, Status.RETURNED):
            raise StateConflict("not_editable", _("Materials cannot be deleted from the case now"))
        if not case.attachments.filter(pk=attachment.pk).exists():  # a second tab removed it
            raise StateConflict("removed", _("The file is already deleted"))
        record(actor=actor, action="case.detach", obj=case,
               summary=_("Deleted material: %(file)s") % {"file": attachment.original_name},
               details={"material": attachment.material_key, "sha256": attachment.sha256})
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.delete(save=False))
