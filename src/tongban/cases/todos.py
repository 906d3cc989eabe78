"""What cases give people to do, for the one to-do list (notify.todos): the steps a
member of staff may decide now, and an applicant's own cases waiting on them (returned
for correction, or a material accepted as missing that is still to be supplied)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.cases import selectors
from tongban.cases.models import Case, Status
from tongban.notify.todos import Todo


def todos_of(user: User, limit: int) -> list[Todo]:
    work = [Todo(source="cases", key=f"work:{item.pk}",
                 title=_("%(serial)s %(service)s: %(step)s") % {
                     "serial": item.case.serial, "service": item.case.item.name, "step": item.step_name},
                 url=reverse("cases:staff-detail", args=[item.case_id]), due=item.due_date)
            for item in selectors.todo(user=user, tab="mine").order_by("due_date")[:limit]]
    waiting = (Case.objects.filter(applicant=user, status=Status.RETURNED)
               | Case.objects.filter(applicant=user, status=Status.IN_APPROVAL).exclude(deficiencies=[]))
    own = [Todo(source="cases", key=f"case:{case.pk}",
                title=(_("%(service)s: correct and submit again") if case.status == Status.RETURNED
                       else _("%(service)s: supplement the missing material")) % {"service": case.item.name},
                url=reverse("cases:edit" if case.status == Status.RETURNED else "cases:detail", args=[case.pk]))
           for case in waiting.select_related("item").order_by("-pk")[:limit]]
    return work + own
