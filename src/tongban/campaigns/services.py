"""Writing campaigns: make one (or clone one), give it an uploaded list, send it, fill it,
approve an answer, remind those who have not filled. Each act checks who may, changes
the rows, appends its audit entry and queues its messages in one transaction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tongban.accounts.access import authorize, can, refused
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.campaigns import audience
from tongban.campaigns.models import Answer, Assignment, Campaign, Cohort, CohortMember, ListRow, Reminder
from tongban.catalog import forms_runtime
from tongban.catalog.models import ServiceItem
from tongban.lib import crypto
from tongban.lib.bulk import insert_rows
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.notify.services import Outgoing, notify_each
from tongban.people.models import Person

# "Remind all who have not filled" twice within this is refused (the people were just
# told); a person reminded within it by anyone is left out of the next round.
REMIND_WINDOW = timedelta(hours=2)


def _check_times(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= timezone.now():
        raise ApplicationError("close_in_past", _("The close time has passed: choose a time to come"),
                               field="closes_at")
    if closes_at <= opens_at:
        raise ApplicationError("close_before_open", _("The close must come after the opening"), field="closes_at")


def _manage(actor: User, campaign: Campaign) -> None:
    authorize(actor, Action.CAMPAIGN_MANAGE, unit=campaign.org_unit)


def _rule(campaign: Campaign) -> audience.Rule:
    return audience.Rule.from_data(campaign.rule)


def recipients(campaign: Campaign):
    """The people the campaign's rule, list and cohort match in its sender's reach."""
    return audience.people_for(sender=campaign.created_by, rule=_rule(campaign),
                               list_campaign_id=campaign.pk if campaign.uses_list else None,
                               cohort_id=campaign.cohort_id)


@transaction.atomic
def create_campaign(*, actor: User, name: str, item: ServiceItem, opens_at: datetime, closes_at: datetime,
                    rule: dict, needs_approval: bool = False, instructions: str = "", cohort: Cohort | None = None,
                    uses_list: bool = False, remind_hours_before: int = 24, remind_every_days: int = 0,
                    cloned_from: Campaign | None = None) -> Campaign:
    """A campaign, not yet sent, from a published service's form. It is the sender's unit's
    (the unit of the membership that lets them make campaigns). Refuses a service that is
    not published, a close in the past or before the opening, a cohort out of reach, and
    a campaign with no audience condition at all (it would reach everyone in reach by
    accident)."""
    membership = authorize(actor, Action.CAMPAIGN_MANAGE)
    if not item.is_published or item.current_version_id is None:
        raise ApplicationError("not_published", _("Choose a published service"), field="item")
    _check_times(opens_at, closes_at)
    parsed = audience.Rule.from_data(rule)
    if cohort is not None and not can(actor, Action.CAMPAIGN_MANAGE, unit=cohort.org_unit):
        raise ApplicationError("cohort_out_of_reach", _("Choose a cohort of your units"), field="cohort")
    if parsed.empty and cohort is None and not uses_list:
        raise ApplicationError("no_audience", _("Say whom the campaign is for: at least one condition, a list or "
                                                "a cohort"), field="categories")
    campaign = Campaign.objects.create(
        name=name, instructions=instructions, item=item, version_id=item.current_version_id,
        org_unit=membership.org_unit, created_by=actor, opens_at=opens_at, closes_at=closes_at,
        needs_approval=needs_approval, rule=parsed.as_data(), cohort=cohort, uses_list=uses_list,
        remind_hours_before=remind_hours_before, remind_every_days=remind_every_days, cloned_from=cloned_from)
    record(actor=actor, action="campaigns.create", obj=campaign,
           summary=_("Made the campaign %(name)s") % {"name": name},
           details={"item": item.code, "rule": campaign.rule, "cohort": cohort.pk if cohort else None,
                    "list": uses_list, "closes_at": closes_at.isoformat(),
                    "cloned_from": cloned_from.pk if cloned_from else None})
    return campaign


@transaction.atomic
def clone_campaign(*, actor: User, campaign: Campaign, name: str, opens_at: datetime,
                   closes_at: datetime) -> Campaign:
    """The same campaign again (next holiday's): its form (as the service is published
    now), audience rule, list, cohort, approval and reminders, with new times."""
    _manage(actor, campaign)
    item = ServiceItem.objects.get(pk=campaign.item_id)
    copy = create_campaign(actor=actor, name=name, item=item, opens_at=opens_at, closes_at=closes_at,
                           rule=campaign.rule, needs_approval=campaign.needs_approval,
                           instructions=campaign.instructions, cohort=campaign.cohort, uses_list=campaign.uses_list,
                           remind_hours_before=campaign.remind_hours_before,
                           remind_every_days=campaign.remind_every_days, cloned_from=campaign)
    if campaign.uses_list:
        rows = [{"campaign_id": copy.pk, "row": r.row, "value": r.value, "person_id": r.person_id,
                 "problem": r.problem} for r in campaign.list_rows.filter(person__isnull=False)]
        insert_rows(ListRow, rows)
        Campaign.objects.filter(pk=copy.pk).update(list_confirmed=True)
        copy.list_confirmed = True
    return copy


@transaction.atomic
def upload_list(*, actor: User, campaign: Campaign, name: str, content: bytes) -> list[audience.ListEntry]:
    """The campaign's audience list, replacing any earlier one: each row matched to a
    person in the sender's reach, those it could not match kept with why. A list with
    unmatched rows is sent only once confirmed (`confirm_list`)."""
    _manage(actor, campaign)
    if campaign.state != Campaign.State.DRAFT:
        raise StateConflict("already_sent", _("The campaign has been sent: its audience can no longer change"))
    entries = audience.read_list(sender=campaign.created_by, name=name, content=content)
    if not any(e.person_id for e in entries):
        raise ApplicationError("nobody_matched", _("No row of the file names someone you may send to"), field="file")
    ListRow.objects.filter(campaign=campaign).delete()
    insert_rows(ListRow, [{"campaign_id": campaign.pk, "row": e.row, "value": e.value, "person_id": e.person_id,
                           "problem": e.problem} for e in entries])
    unmatched = sum(1 for e in entries if e.person_id is None)
    Campaign.objects.filter(pk=campaign.pk).update(uses_list=True, list_confirmed=unmatched == 0)
    campaign.uses_list, campaign.list_confirmed = True, unmatched == 0
    record(actor=actor, action="campaigns.upload_list", obj=campaign,
           summary=_("Uploaded the audience list %(file)s") % {"file": name[:100]},
           details={"rows": len(entries), "unmatched": unmatched})
    return entries


@transaction.atomic
def confirm_list(*, actor: User, campaign: Campaign) -> Campaign:
    """Send to the rows that matched, leaving out those that did not."""
    _manage(actor, campaign)
    if not campaign.uses_list or campaign.state != Campaign.State.DRAFT:
        raise StateConflict("no_list", _("There is no list waiting to be confirmed"))
    Campaign.objects.filter(pk=campaign.pk).update(list_confirmed=True)
    campaign.list_confirmed = True
    record(actor=actor, action="campaigns.confirm_list", obj=campaign,
           summary=_("Confirmed the audience list, leaving out the rows that matched nobody"),
           details={"unmatched": campaign.list_rows.filter(person__isnull=True).count()})
    return campaign


def start_refusal(campaign: Campaign, count: int | None = None) -> ApplicationError | None:
    """Why the campaign cannot be sent now, or None (the page shows it before the button)."""
    if campaign.closed:
        return ApplicationError("close_in_past", _("The close time has passed: clone the campaign with new times"))
    if campaign.uses_list and not campaign.list_confirmed:
        return ApplicationError("list_unconfirmed", _("Some rows of the list matched nobody: confirm to send to "
                                                      "the rest"))
    if (recipients(campaign).count() if count is None else count) == 0:
        return ApplicationError("empty_audience", _("The audience matches nobody: nothing would be sent"))
    return None


def start_dispatch(*, actor: User, campaign: Campaign) -> Campaign:
    """Send the campaign: queue the job that gives every recipient a to-do and a message.
    Started twice (two clicks, two admins, two servers) it runs once: the state moves from
    not sent to queued by one conditional UPDATE, and the second start finds it moved.
    Refuses a close that has passed, an unconfirmed list and an audience of nobody."""
    _manage(actor, campaign)
    with transaction.atomic():
        refusal = start_refusal(campaign)
        if refusal is not None:
            raise refusal
        claimed = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
            state=Campaign.State.PENDING, started_at=timezone.now())
        if not claimed:  # started already: that start sends
            campaign.refresh_from_db()
            return campaign
        record(actor=actor, action="campaigns.start", obj=campaign,
               summary=_("Sent the campaign %(name)s") % {"name": campaign.name},
               details={"rule": campaign.rule})
        from tongban.campaigns.tasks import run_dispatch

        transaction.on_commit(lambda: run_dispatch(campaign.pk))
    campaign.refresh_from_db()
    return campaign


def message_context(campaign: Campaign) -> dict:
    return {"campaign": campaign.name,
            "closes": date_format(timezone.localtime(campaign.closes_at), "Y-m-d H:i")}


CHUNK = 1000


def run_dispatch_job(*, campaign_id: int, chunk: int = CHUNK) -> Campaign:
    """Give each recipient their to-do and message, a chunk of recipients a transaction,
    keeping the progress on the campaign's row. Run again (a crash, a retry, a second
    worker), it resumes: a recipient's to-do is one row per campaign and person, and their
    message one row per business key, so nothing is sent twice."""
    from tongban.people.jobs import ProgressKeeper

    campaign = Campaign.objects.select_related("created_by").get(pk=campaign_id)
    if campaign.state in (Campaign.State.DRAFT, Campaign.State.DONE):
        return campaign
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.RUNNING, error="")
    ids = list(recipients(campaign).values_list("pk", flat=True))
    keep = ProgressKeeper(Campaign, campaign.pk, done="dispatched", total="total")
    keep.start(len(ids))
    context = message_context(campaign)
    link = reverse("campaigns:mine")
    try:
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            with transaction.atomic():
                people = list(Person.objects.filter(pk__in=part).select_related("account").order_by("pk"))
                insert_rows(Assignment, [{"campaign_id": campaign.pk, "person_id": p.pk, "org_unit_id": p.org_unit_id}
                                         for p in people], skip_taken=True)
                notify_each(event="campaigns.invite", outgoing=[
                    Outgoing.for_person(p, f"campaign:{campaign.pk}:invite:{p.pk}", context, link=link)
                    for p in people])
            keep(start + len(part), final=True)
    except Exception as exc:
        Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.FAILED, error=str(exc)[:300])
        raise
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.DONE, finished_at=timezone.now(),
                                                   dispatched=len(ids), total=len(ids))
    campaign.refresh_from_db()
    return campaign


# --- the recipient --------------------------------------------------------------------

def _own(actor: User, assignment_id: int, *, lock: bool = False) -> Assignment:
    qs = Assignment.objects.filter(pk=assignment_id, person__account=actor).select_related("campaign", "person")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.first() if actor.is_authenticated else None
    if found is None:
        raise refused(actor, Assignment, assignment_id)
    return found


def mark_opened(*, actor: User, assignment: Assignment) -> None:
    """The recipient opened their to-do (counted once: the first time). Not on the trail:
    a read, and there are tens of thousands."""
    if assignment.opened_at is None:
        Assignment.objects.filter(pk=assignment.pk, opened_at__isnull=True,
                                  person__account=actor).update(opened_at=timezone.now())


def fill_refusal(assignment: Assignment) -> ApplicationError | None:
    campaign = assignment.campaign
    now = timezone.now()
    if campaign.state != Campaign.State.DONE or now < campaign.opens_at:
        return StateConflict("not_open", _("The campaign is not open yet"))
    if now >= campaign.closes_at:
        return StateConflict("closed", _("The campaign has closed: answers can no longer be given or corrected"))
    if assignment.state == Assignment.State.APPROVED:
        return StateConflict("approved", _("Your answer was approved: ask your counsellor to change it"))
    return None


def fill(*, actor: User, assignment_id: int, answers: dict) -> Answer:
    """The recipient's answer, given or corrected until the close. Only the recipient may
    fill it; identity fields come from their person record, whatever is posted. One
    answer per to-do: the to-do's row is locked, and the answer's unique key is the
    backstop should anything write around the lock."""
    with transaction.atomic():
        assignment = _own(actor, assignment_id, lock=True)
        refusal = fill_refusal(assignment)
        if refusal is not None:
            raise refusal
        config = assignment.campaign.version.config
        # what the person record fixes overrides what was posted (a disabled field posts nothing)
        fixed = forms_runtime.identity(config, assignment.person)
        cleaned = forms_runtime.clean_answers(config, {**answers, **fixed}, complete=True)
        shown, secrets = forms_runtime.split_secrets(config, cleaned)
        secrets_enc = crypto.encrypt(json.dumps(secrets, ensure_ascii=False)) if secrets else ""
        now = timezone.now()
        answer = Answer.objects.filter(assignment=assignment).first()
        if answer is None:
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(assignment=assignment, answers=shown, secrets_enc=secrets_enc)
            except IntegrityError:  # written meanwhile around the lock: correct that one
                answer = Answer.objects.get(assignment=assignment)
                answer = _correct(answer, shown, secrets_enc)
            first = True
        else:
            answer = _correct(answer, shown, secrets_enc)
            first = False
        Assignment.objects.filter(pk=assignment.pk).update(
            state=Assignment.State.FILLED, filled_at=now, opened_at=assignment.opened_at or now)
        record(actor=actor, action="campaigns.fill" if first else "campaigns.correct", obj=assignment,
               summary=(_("Filled in %(name)s") if first else _("Corrected the answer to %(name)s"))
               % {"name": assignment.campaign.name}, details={"fields": sorted(shown)})
    return answer


def _correct(answer: Answer, shown: dict, secrets_enc: str) -> Answer:
    answer.answers, answer.secrets_enc, answer.revisions = shown, secrets_enc, answer.revisions + 1
    answer.save(update_fields=["answers", "secrets_enc", "revisions", "updated_at"])
    return answer


# --- the counsellor -------------------------------------------------------------------

@transaction.atomic
def approve(*, actor: User, assignment: Assignment) -> Assignment:
    """The counsellor approves a filled answer of someone in their units (a campaign that
    asks for it). Refuses one out of reach, one not filled, one approved already."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("campaign", "org_unit").get(
        pk=assignment.pk)
    authorize(actor, Action.CAMPAIGN_APPROVE, unit=assignment.org_unit)
    if not assignment.campaign.needs_approval:
        raise StateConflict("no_approval", _("This campaign asks for no approval"))
    if assignment.state != Assignment.State.FILLED:
        raise StateConflict("not_filled", _("Only a filled answer awaiting approval can be approved"))
    Assignment.objects.filter(pk=assignment.pk).update(state=Assignment.State.APPROVED, approved_at=timezone.now(),
                                                       approved_by=actor)
    record(actor=actor, action="campaigns.approve", obj=assignment,
           summary=_("Approved an answer to %(name)s") % {"name": assignment.campaign.name},
           details={"person": assignment.person_id})
    assignment.refresh_from_db()
    return assignment


def _remind(campaign: Campaign, targets, round_key: str) -> int:
    """Remind the targets not reminded within the window, each message keyed by its round."""
    now = timezone.now()
    targets = targets.filter(state=Assignment.State.SENT).filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=now - REMIND_WINDOW))
    ids = list(targets.values_list("pk", flat=True))
    context = message_context(campaign)
    link = reverse("campaigns:mine")
    sent = 0
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        people = Person.objects.filter(pk__in=Assignment.objects.filter(pk__in=part).values("person_id")
                                       ).select_related("account")
        notify_each(event="campaigns.reminder", outgoing=[
            Outgoing.for_person(p, f"campaign:{campaign.pk}:remind:{round_key}:{p.pk}", context, link=link)
            for p in people])
        sent += Assignment.objects.filter(pk__in=part).update(last_reminded_at=now)
    return sent


@transaction.atomic
def remind_unfilled(*, actor: User, campaign: Campaign) -> Reminder:
    """"Remind all who have not filled", among the recipients in the actor's reach: the
    counsellor chases their classes, the department everyone. Refused when the campaign
    is not open, and when the actor reminded it within the window (the people were just
    told); anyone reminded within it by someone else is left out. Returns the round."""
    from tongban.campaigns import selectors

    if not can(actor, Action.CAMPAIGN_MANAGE):
        raise NotAllowed("permission_denied", _("You do not have permission to do this."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != Campaign.State.DONE or campaign.closed:
        raise StateConflict("not_open", _("Only an open campaign can be reminded"))
    recent = Reminder.objects.filter(campaign=campaign, kind=Reminder.Kind.ON_DEMAND, by=actor,
                                     at__gte=timezone.now() - REMIND_WINDOW).first()
    if recent is not None:
        raise StateConflict("reminded_recently", _("You reminded them at %(at)s: wait a while before reminding "
                                                   "again") % {"at": date_format(timezone.localtime(recent.at),
                                                                                 "H:i")})
    targets = selectors.recipients_in_reach(user=actor, campaign=campaign, action=Action.CAMPAIGN_MANAGE)
    reminder = Reminder.objects.create(campaign=campaign, kind=Reminder.Kind.ON_DEMAND,
                                       key=timezone.now().isoformat(), by=actor)
    reminder.count = _remind(campaign, targets, f"r{reminder.pk}")
    reminder.save(update_fields=["count"])
    record(actor=actor, action="campaigns.remind", obj=campaign,
           summary=_("Reminded %(count)s people who had not filled in %(name)s")
           % {"count": reminder.count, "name": campaign.name}, details={"count": reminder.count})
    return reminder


def send_due_reminders(*, now: datetime | None = None) -> int:
    """The reminders that are due: before the close (once) and on the campaign's schedule
    (once a round, every so many days after sending), each round once however often or
    wherever this runs (its row's unique key). Returns how many people were reminded."""
    now = now or timezone.now()
    total = 0
    due = Campaign.objects.filter(state=Campaign.State.DONE, closes_at__gt=now, opens_at__lte=now).filter(
        Q(remind_hours_before__gt=0) | Q(remind_every_days__gt=0))
    for campaign in due:
        rounds = []
        if campaign.remind_hours_before and now >= campaign.closes_at - timedelta(hours=campaign.remind_hours_before):
            rounds.append((Reminder.Kind.BEFORE_CLOSE, "close"))
        if campaign.remind_every_days and campaign.started_at:
            days = (now - campaign.started_at).days
            if days >= campaign.remind_every_days:
                rounds.append((Reminder.Kind.SCHEDULED, f"day{days - days % campaign.remind_every_days}"))
        for kind, key in rounds:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        reminder = Reminder.objects.create(campaign=campaign, kind=kind, key=key)
                except IntegrityError:
                    continue  # this round was sent
                reminder.count = _remind(campaign, campaign.assignments.all(), f"{kind}:{key}")
                reminder.save(update_fields=["count"])
                record(actor=None, action="campaigns.remind_due", obj=campaign,
                       summary=_("Reminded %(count)s people who had not filled in %(name)s")
                       % {"count": reminder.count, "name": campaign.name},
                       details={"kind": kind, "round": key, "count": reminder.count})
                total += reminder.count
    return total


@transaction.atomic
def save_cohort(*, actor: User, campaign: Campaign, name: str) -> Cohort:
    """Keep the campaign's recipients in the actor's reach as a cohort, for later campaigns."""
    from tongban.campaigns import selectors

    membership = authorize(actor, Action.CAMPAIGN_MANAGE)
    cohort = Cohort.objects.create(name=name, org_unit=membership.org_unit, created_by=actor)
    people = selectors.recipients_in_reach(user=actor, campaign=campaign, action=Action.CAMPAIGN_MANAGE)
    insert_rows(CohortMember, [{"cohort_id": cohort.pk, "person_id": pk}
                               for pk in people.values_list("person_id", flat=True)])
    record(actor=actor, action="campaigns.save_cohort", obj=cohort,
           summary=_("Saved the cohort %(name)s") % {"name": name}, details={"campaign": campaign.pk})
    return cohort
