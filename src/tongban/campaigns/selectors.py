"""Reading campaigns, always within the reader's reach: a counsellor sees their classes'
recipients, a college its own, a department everyone; a recipient sees their own to-dos."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tongban.accounts.access import one_within, refused, scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.campaigns.models import Assignment, Campaign, Cohort


def campaigns(*, user: User) -> QuerySet[Campaign]:
    """The campaigns of units in the user's reach, and those sent to anyone in it (a
    department's campaign shows on the counsellor's list, with their own students)."""
    own = scope(Campaign.objects.all(), user, Action.CAMPAIGN_VIEW)
    reached = scope(Assignment.objects.filter(campaign_id=OuterRef("pk")), user, Action.CAMPAIGN_VIEW)
    return (Campaign.objects.filter(Q(pk__in=own.values("pk")) | Exists(reached))
            .select_related("item", "org_unit").order_by("-created_at", "-id"))


def campaign_for(*, user: User, pk) -> Campaign:
    return one_within(campaigns(user=user).select_related("created_by", "version", "cohort"), user=user, pk=pk)


def recipients_in_reach(*, user: User, campaign: Campaign, action: str = Action.CAMPAIGN_VIEW) -> QuerySet[Assignment]:
    return scope(Assignment.objects.filter(campaign=campaign), user, action)


@dataclass(frozen=True)
class Counts:
    sent: int
    opened: int
    filled: int
    approved: int
    overdue: int

    @property
    def not_filled(self) -> int:
        return self.sent - self.filled - self.approved

    @property
    def filled_percent(self) -> int:
        return (self.filled + self.approved) * 100 // self.sent if self.sent else 0


def counts(*, user: User, campaign: Campaign) -> Counts:
    """The campaign's counts among the recipients in the user's reach, in one query (on
    the index that leads with campaign and unit). Overdue: not filled, and closed."""
    closed = timezone.now() >= campaign.closes_at
    row = recipients_in_reach(user=user, campaign=campaign).aggregate(
        sent=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)),
        filled=Count("pk", filter=Q(state=Assignment.State.FILLED)),
        approved=Count("pk", filter=Q(state=Assignment.State.APPROVED)))
    overdue = row["sent"] - row["filled"] - row["approved"] if closed else 0
    return Counts(row["sent"], row["opened"], row["filled"], row["approved"], overdue)


WHICH = ("sent", "opened", "unopened", "filled", "not_filled", "approved", "awaiting_approval", "overdue")


def people(*, user: User, campaign: Campaign, which: str = "sent") -> QuerySet[Assignment]:
    """The drill-down: the recipients in reach behind one of the counts."""
    qs = recipients_in_reach(user=user, campaign=campaign).select_related("person", "org_unit", "answer")
    done = Q(state__in=[Assignment.State.FILLED, Assignment.State.APPROVED])
    filters = {
        "opened": Q(opened_at__isnull=False), "unopened": Q(opened_at__isnull=True), "filled": done,
        "not_filled": ~done, "approved": Q(state=Assignment.State.APPROVED),
        "awaiting_approval": Q(state=Assignment.State.FILLED),
        "overdue": ~done if timezone.now() >= campaign.closes_at else Q(pk__in=[]),
    }
    if which in filters:
        qs = qs.filter(filters[which])
    return qs.order_by("org_unit__path", "person__student_number", "pk")


def assignment_for(*, user: User, campaign: Campaign, pk) -> Assignment:
    return one_within(people(user=user, campaign=campaign), user=user, pk=pk)


def cohorts(*, user: User) -> QuerySet[Cohort]:
    return scope(Cohort.objects.all(), user, Action.CAMPAIGN_MANAGE)


def my_assignments(*, user: User) -> QuerySet[Assignment]:
    """The recipient's own to-dos of campaigns that have opened, the open ones first."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    return (Assignment.objects.filter(person__account=user, campaign__state=Campaign.State.DONE,
                                      campaign__opens_at__lte=timezone.now())
            .select_related("campaign").order_by("-campaign__closes_at", "-pk"))


def my_open_count(*, user: User) -> int:
    return my_assignments(user=user).filter(state=Assignment.State.SENT,
                                            campaign__closes_at__gt=timezone.now()).count()


def own_assignment(*, user: User, pk) -> Assignment:
    """One of the user's own to-dos (anyone else's is a refusal on the trail)."""
    found = (Assignment.objects.filter(pk=pk, person__account=user).select_related("campaign__version", "person")
             .first() if user.is_authenticated else None)
    if found is None:
        raise refused(user, Assignment, pk)
    return found
