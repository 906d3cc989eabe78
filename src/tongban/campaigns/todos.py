"""The campaigns' part of the one to-do list (notify.todos): a recipient's forms to fill
while their campaign is open, and a counsellor's answers awaiting their approval, one
item per campaign."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.access import can, scope
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.campaigns import selectors
from tongban.campaigns.models import Assignment, Campaign
from tongban.notify.todos import Todo


def todos_of(user: User, limit: int) -> list[Todo]:
    now = timezone.now()
    mine = [Todo(source="campaigns", key=f"fill:{a.pk}", title=_("Fill in: %(name)s") % {"name": a.campaign.name},
                 url=reverse("campaigns:fill", args=[a.pk]), due=timezone.localdate(a.campaign.closes_at))
            for a in selectors.my_assignments(user=user).filter(state=Assignment.State.SENT,
                                                                campaign__closes_at__gt=now)[:limit]]
    if not can(user, Action.CAMPAIGN_APPROVE):
        return mine
    awaiting = (scope(Assignment.objects.filter(state=Assignment.State.FILLED, campaign__needs_approval=True,
                                                campaign__state=Campaign.State.DONE), user, Action.CAMPAIGN_APPROVE)
                .values("campaign_id", "campaign__name", "campaign__closes_at").annotate(n=Count("pk"))
                .order_by("campaign__closes_at")[:limit])
    review = [Todo(source="campaigns", key=f"approve:{row['campaign_id']}",
                   title=_("%(name)s: %(count)s answers to approve") % {"name": row["campaign__name"],
                                                                         "count": row["n"]},
                   url=f"{reverse('campaigns:people', args=[row['campaign_id']])}?which=awaiting_approval",
                   due=timezone.localdate(row["campaign__closes_at"]))
              for row in awaiting]
    return mine + review
