"""Pressing 在线申请: one open draft per applicant, service and person applied for.

Pressed again (a second tab, a double tap, coming back next week), the page opens the
draft already begun instead of making another; the API's create says 409 with the
draft's id. Two presses at once are one draft: the applicant's account row is locked
while the draft is looked for and made, so the second waits for the first and then
finds its draft (SQLite's IMMEDIATE transactions serialise them anyway)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.cases import guards, services
from tongban.cases.models import Case, Status
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import NotAllowed, StateConflict


def open_draft(*, user: User, item: ServiceItem, on_behalf: str = "", subject_person=None) -> Case | None:
    """The user's newest unsubmitted draft of the service for the same person (self,
    or the same relative), if any."""
    if not user.is_authenticated:
        return None
    drafts = Case.objects.filter(applicant=user, item=item, status=Status.DRAFT)
    # a draft for a relative is theirs by the person it names (its on_behalf is only the
    # relation's label, written by the draft itself)
    drafts = (drafts.filter(subject_person=subject_person) if subject_person is not None
              else drafts.filter(subject_person__isnull=True, on_behalf=on_behalf.strip()[:32]))
    return drafts.order_by("-created_at", "-id").first()


def _locked_open_draft(actor: User, item: ServiceItem, on_behalf: str, subject_person) -> Case | None:
    if not actor.is_authenticated:
        raise NotAllowed("login_required", _("Please log in first."))
    # the applicant's own row: every start of a draft by them queues here
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()
    return open_draft(user=actor, item=item, on_behalf=on_behalf, subject_person=subject_person)


def apply_or_resume(*, actor: User, item: ServiceItem, on_behalf: str = "",
                    subject_person=None) -> tuple[Case, bool]:
    """The draft to open when the applicant presses 在线申请: the open one (True: resumed,
    nothing written) or a new one (`services.start_application`). Refused by the guards
    (the audience, a restriction, a household status) either way: a draft begun before
    does not open a service that is no longer for them."""
    with transaction.atomic():
        guards.check(actor=actor, item=item)
        draft = _locked_open_draft(actor, item, on_behalf, subject_person)
        if draft is not None:
            return draft, True
        return services.start_application(actor=actor, item=item, on_behalf=on_behalf,
                                          subject_person=subject_person), False


def start_draft(*, actor: User, item: ServiceItem, on_behalf: str = "", subject_person=None,
                answers: Mapping[str, object] | None = None) -> Case:
    """A new draft with `answers` (the API's create without submitting). Refuses with
    409 `draft_open`, giving the open draft's id as `case_id`, when one is open for the
    same service and person: the client carries on with that one (PATCH, upload,
    submit) rather than leave a second behind."""
    with transaction.atomic():
        guards.check(actor=actor, item=item)
        draft = _locked_open_draft(actor, item, on_behalf, subject_person)
        if draft is not None:
            raise StateConflict("draft_open", _("You already have an unsubmitted draft of this application (draft "
                                                "number %(pk)s); please go on filling it in.") % {"pk": draft.pk},
                                extra={"case_id": draft.pk})
        return services.start_application(actor=actor, item=item, on_behalf=on_behalf,
                                          subject_person=subject_person, answers=answers)
