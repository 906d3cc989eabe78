"""Restrictions (黑名单): a person may not book, or apply, or either, until an admin
lifts it (or, for a restriction with an end date, until that date)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.people.models import Person


class Kind(models.TextChoices):
    OVERDUE_LOAN = "overdue_loan", "借用逾期未还"
    NO_SHOWS = "no_shows", "预约多次爽约"
    MANUAL = "manual", "人工设置"


class Blocks(models.TextChoices):
    BOOKING = "booking", "预约"
    APPLYING = "applying", "申请办理"
    BOTH = "both", "预约和申请办理"


class RestrictionQuerySet(models.QuerySet):
    def current(self, *, on=None):
        on = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=on))

    def blocking(self, doing: str):
        return self.filter(blocks__in=[doing, Blocks.BOTH])


class Restriction(models.Model):
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="restrictions")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    reason = models.CharField("原因", max_length=255)
    blocks = models.CharField("限制范围", max_length=16, choices=Blocks.choices, default=Blocks.BOTH)
    # What created it, for automatic ones ("loan:17"): at most one restriction per
    # source ever, so a sweep run twice, or after an admin lifted it, makes no other.
    source = models.CharField("来源", max_length=64, blank=True)
    until = models.DateField("自动解除日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="解除人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    lift_reason = models.CharField("解除原因", max_length=255, blank=True)

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        verbose_name = "限制"
        verbose_name_plural = "限制"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source"], condition=~Q(source=""),
                                               name="one_restriction_per_source")]
        indexes = [models.Index(fields=["person", "lifted_at"], name="restriction_person_open")]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.get_kind_display()}"
