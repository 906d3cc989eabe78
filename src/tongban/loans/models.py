"""Card loans: the office lends the collective household registration card (常住人口
登记卡) for a few days under a policy, and takes it back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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

    name = models.CharField("物品类型", max_length=64, default="常住人口登记卡")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="出借单位", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(ServiceItem, verbose_name="借用预约事项", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text="只能凭该事项的预约（签到后或现场取号）借出")
    days = models.PositiveSmallIntegerField("借用天数", default=8)
    working_days = models.BooleanField("按工作日计算", default=False)
    remind_days_before = models.PositiveSmallIntegerField("到期前几天提醒", default=1)
    restrict_when_overdue = models.BooleanField("逾期自动限制", default=True)
    lift_on_return = models.BooleanField("归还后自动解除限制", default=False)
    overdue_reminder_every = models.PositiveSmallIntegerField("逾期后每隔几天再提醒", default=3,
                                                              help_text="0 表示不再提醒")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "借用规则"
        verbose_name_plural = "借用规则"

    def __str__(self) -> str:
        return f"{self.name}（{self.org_unit.name}）"


class Loan(models.Model):
    policy = models.ForeignKey(Policy, verbose_name="借用规则", on_delete=models.PROTECT, related_name="loans")
    person = models.ForeignKey(Person, verbose_name="借用人", on_delete=models.PROTECT, related_name="loans")
    item = models.CharField("借出物品", max_length=64, default="集体户口卡（本人页）")
    purpose = models.CharField("用途", max_length=128)
    lent_at = models.DateTimeField("借出时间")
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT,
                                related_name="+")
    due_date = models.DateField("应还日期", db_index=True)
    returned_at = models.DateTimeField("归还时间", null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # one loan per booking: the database refuses a second (a double click, a second tab)
    booking = models.OneToOneField(Booking, verbose_name="预约", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="loan")

    class Meta:
        verbose_name = "借用记录"
        verbose_name_plural = "借用记录"
        ordering = ["-lent_at", "-id"]
        indexes = [models.Index(fields=["due_date"], condition=Q(returned_at__isnull=True), name="loan_open_due")]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.item}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None
