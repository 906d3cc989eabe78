"""Card loans: the office lends the collective household registration card (常住人口
登记卡) for a few days under a policy, and takes it back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import OrgUnit
from tongban.booking.models import Booking
from tongban.catalog.models import ServiceItem
from tongban.people.models import Person


class Policy(models.Model):
    """How one type of item is lent. Defaults: the household card, 8 calendar days, a
    reminder the day before it is due, a restriction from the first overdue day that
    only an admin lifts, reminders every 3 days while overdue, one card at a time.
    It is lent only against a booking of `service` (the card-loan service), checked in
    at the window: a walk-in is queued (现场取号) first."""

    name = models.CharField(_("Item type"), max_length=64, default="常住人口登记卡")  # i18n: data
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Lending unit"), on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(ServiceItem, verbose_name=_("Service booked for the loan"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text=_("Lent only against a booking for this service (after check-in, or a "
                                            "walk-in number)"))
    days = models.PositiveSmallIntegerField(_("Loan days"), default=8)
    working_days = models.BooleanField(_("Counted in working days"), default=False)
    remind_days_before = models.PositiveSmallIntegerField(_("Days before the due date to remind"), default=1)
    restrict_when_overdue = models.BooleanField(_("Restrict automatically when overdue"), default=True)
    lift_on_return = models.BooleanField(_("Lift the restriction automatically on return"), default=False)
    overdue_reminder_every = models.PositiveSmallIntegerField(_("Remind again every so many days when overdue"),
                                                              default=3,
                                                              help_text=_("0 for no more reminders"))
    active = models.BooleanField(_("Active"), default=True)

    class Meta:
        verbose_name = _("Loan policy")
        verbose_name_plural = _("Loan policies")

    def __str__(self) -> str:
        return _("%(name)s (%(unit)s)") % {"name": self.name, "unit": self.org_unit.name}


class Loan(models.Model):
    policy = models.ForeignKey(Policy, verbose_name=_("Loan policy"), on_delete=models.PROTECT, related_name="loans")
    person = models.ForeignKey(Person, verbose_name=_("Borrower"), on_delete=models.PROTECT, related_name="loans")
    item = models.CharField(_("Item lent"), max_length=64, default="集体户口卡（本人页）")  # i18n: data
    purpose = models.CharField(_("Purpose"), max_length=128)
    lent_at = models.DateTimeField(_("Lent at"))
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Lent by"), on_delete=models.PROTECT,
                                related_name="+")
    due_date = models.DateField(_("Due date"), db_index=True)
    returned_at = models.DateTimeField(_("Returned at"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Received by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # one loan per booking: the database refuses a second (a double click, a second tab)
    booking = models.OneToOneField(Booking, verbose_name=_("Booking"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="loan")

    class Meta:
        verbose_name = _("Loan")
        verbose_name_plural = _("Loans")
        ordering = ["-lent_at", "-id"]
        indexes = [models.Index(fields=["due_date"], condition=Q(returned_at__isnull=True), name="loan_open_due")]

    def __str__(self) -> str:
        return _("%(name)s: %(item)s") % {"name": self.person.name, "item": self.item}

    @property
    def is_open(self) -> bool:
        return self.returned_at is None
