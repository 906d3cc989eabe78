"""Restrictions (黑名单): a person may not book, or apply, or either, until an admin
lifts it (or, for a restriction with an end date, until that date)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.people.models import Person


class Kind(models.TextChoices):
    OVERDUE_LOAN = "overdue_loan", _("Loan overdue, not returned")
    NO_SHOWS = "no_shows", _("Repeated booking no-shows")
    MANUAL = "manual", _("Set by hand")


class Blocks(models.TextChoices):
    BOOKING = "booking", _("Booking")
    APPLYING = "applying", _("Applying")
    BOTH = "both", _("Booking and applying")


class RestrictionQuerySet(models.QuerySet):
    def current(self, *, on=None):
        on = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=on))

    def blocking(self, doing: str):
        return self.filter(blocks__in=[doing, Blocks.BOTH])


class Restriction(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.PROTECT, related_name="restrictions")
    kind = models.CharField(pgettext_lazy("kind", "Type"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("Reason"), max_length=255)
    blocks = models.CharField(_("Restricted from"), max_length=16, choices=Blocks.choices, default=Blocks.BOTH)
    # What created it, for automatic ones ("loan:17"): at most one restriction per
    # source ever, so a sweep run twice, or after an admin lifted it, makes no other.
    source = models.CharField(_("Source"), max_length=64, blank=True)
    until = models.DateField(_("Lifted automatically on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Set by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("Set at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("Lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Lifted by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    lift_reason = models.CharField(_("Reason for lifting"), max_length=255, blank=True)

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Restriction")
        verbose_name_plural = _("Restrictions")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source"], condition=~Q(source=""),
                                               name="one_restriction_per_source")]
        indexes = [models.Index(fields=["person", "lifted_at"], name="restriction_person_open")]

    def __str__(self) -> str:
        return _("%(name)s: %(kind)s") % {"name": self.person.name, "kind": self.get_kind_display()}
