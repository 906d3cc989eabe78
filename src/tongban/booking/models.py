"""Appointments (预约): resources with their weekly plan, extra sessions and rules; the
slots materialised from them (号源), one row each with its capacity and the places
taken; and the bookings. A slot's `booked` moves only through `booking.services`, by
a conditional update the database also checks, so no slot ever holds more than its
capacity."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tongban.accounts.models import OrgUnit
from tongban.catalog.models import ServiceItem
from tongban.people.models import Person


class Weekday(models.IntegerChoices):
    MONDAY = 0, "周一"
    TUESDAY = 1, "周二"
    WEDNESDAY = 2, "周三"
    THURSDAY = 3, "周四"
    FRIDAY = 4, "周五"
    SATURDAY = 5, "周六"
    SUNDAY = 6, "周日"


class Resource(models.Model):
    """What is booked: a window, a room, a counsellor, in one org unit, serving one
    or more services. Its slots are cut from its sessions, `slot_minutes` long, each
    taking `capacity` people."""

    class Kind(models.TextChoices):
        WINDOW = "window", "窗口"
        ROOM = "room", "房间"
        COUNSELLOR = "counsellor", "咨询老师"

    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.WINDOW)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT,
                                 related_name="booking_resources")
    services = models.ManyToManyField(ServiceItem, verbose_name="可预约事项", related_name="booking_resources")
    place = models.CharField("地点", max_length=128, blank=True)
    slot_minutes = models.PositiveSmallIntegerField("每个号源时长（分钟）", default=30)
    capacity = models.PositiveSmallIntegerField("每个号源可约人数", default=1)
    is_active = models.BooleanField("开放预约", default=True)
    # no-show policy: `no_show_limit` no-shows within `no_show_days` days restrict the
    # person from booking for `no_show_restrict_days` days
    no_show_limit = models.PositiveSmallIntegerField("爽约次数上限", default=3)
    no_show_days = models.PositiveSmallIntegerField("爽约统计天数", default=90)
    no_show_restrict_days = models.PositiveSmallIntegerField("爽约限制预约天数", default=30)
    auto_no_show = models.BooleanField("未签到自动记为爽约", default=True,
                                       help_text="当天结束仍未签到的预约，次日记为爽约（计入爽约限制）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "预约资源"
        verbose_name_plural = "预约资源"
        ordering = ["org_unit__path", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="booking_resource_slot_minutes"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="booking_resource_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.name} · {self.name}"


class Session(models.Model):
    """One opening in the weekly plan; the breaks are the gaps between sessions."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField("星期", choices=Weekday.choices)
    start = models.TimeField("开始")
    end = models.TimeField("结束")

    class Meta:
        verbose_name = "每周时段"
        verbose_name_plural = "每周时段"
        ordering = ["resource_id", "weekday", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_session_order")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ExtraSession(models.Model):
    """An opening on one date beyond the weekly plan (an evening, a Saturday morning).
    It opens on weekends too, but not on a public holiday nor on a unit's closure."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="extra_sessions")
    date = models.DateField("日期")
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    note = models.CharField("说明", max_length=64, blank=True)

    class Meta:
        verbose_name = "加开时段"
        verbose_name_plural = "加开时段"
        ordering = ["resource_id", "date", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_extra_order")]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}–{self.end:%H:%M}"


class ExtraHours(models.Model):
    """Hours a station opens beyond its weekly plan for a date range (evenings in the
    graduation season, say): every working day of the range, or every day of it,
    weekends too, as `working_days_only` says; never on a public holiday nor on a
    unit's closure. Opened and withdrawn through booking.services (audited)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="extra_hours")
    first = models.DateField("开始日期")
    last = models.DateField("结束日期")
    start = models.TimeField("每天开始")
    end = models.TimeField("每天结束")
    working_days_only = models.BooleanField("仅工作日", default=True,
                                            help_text="不勾选则周末（非法定节假日）也开放")
    note = models.CharField("说明", max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "延时服务时段"
        verbose_name_plural = "延时服务时段"
        ordering = ["resource_id", "first", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_extra_hours_order"),
            models.CheckConstraint(condition=Q(last__gte=F("first")), name="booking_extra_hours_range"),
        ]

    def __str__(self) -> str:
        days = "工作日" if self.working_days_only else "每天"
        return f"{self.first}–{self.last} {days} {self.start:%H:%M}–{self.end:%H:%M}"


class Rule(models.Model):
    """Booking rules of a resource; a rule naming a service applies to that service,
    the one without a service to the rest. Without any row the defaults apply."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rules")
    service = models.ForeignKey(ServiceItem, verbose_name="事项（留空为全部）", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    open_days_ahead = models.PositiveSmallIntegerField("提前开放天数", default=3,
                                                       help_text="可预约今天起多少天内的号源")
    open_time = models.TimeField("每日放号时间", default=dt.time(8, 0),
                                 help_text="最远一天的号源在该时刻开放")
    min_notice_hours = models.PositiveSmallIntegerField("最少提前小时数", default=1)
    weekly_limit = models.PositiveSmallIntegerField("每人每周最多预约次数", default=3, help_text="0 为不限")
    cancel_cutoff_hours = models.PositiveSmallIntegerField("取消/改约截止（开始前小时数）", default=2)

    class Meta:
        verbose_name = "预约规则"
        verbose_name_plural = "预约规则"
        constraints = [
            models.UniqueConstraint(fields=["resource", "service"], name="booking_rule_per_service"),
            models.UniqueConstraint(fields=["resource"], condition=Q(service__isnull=True),
                                    name="booking_rule_default"),
        ]

    def __str__(self) -> str:
        return f"{self.resource.name}：{self.service or '全部事项'}"


class Slot(models.Model):
    """A bookable period of a resource (号源), materialised from its plan. `booked`
    never exceeds `capacity`: the database refuses it, and the service takes a place
    only with `UPDATE … WHERE booked < capacity`. A slot the plan no longer has is
    closed rather than deleted (its bookings stay)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField("日期")
    start = models.DateTimeField("开始")
    end = models.DateTimeField("结束")
    capacity = models.PositiveSmallIntegerField("可约人数")
    booked = models.PositiveSmallIntegerField("已约人数", default=0)
    is_open = models.BooleanField("开放", default=True)

    class Meta:
        verbose_name = "号源"
        verbose_name_plural = "号源"
        ordering = ["resource_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "start"], name="booking_slot_once"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="booking_slot_within_capacity"),
            models.CheckConstraint(condition=Q(booked__gte=0), name="booking_slot_not_negative"),
        ]
        indexes = [models.Index(fields=["resource", "date"], name="booking_slot_day")]

    def __str__(self) -> str:
        return f"{self.resource.name} {self.start:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked) if self.is_open else 0


class State(models.TextChoices):
    BOOKED = "booked", "已预约"
    CHECKED_IN = "checked_in", "已签到"
    SERVED = "served", "已办理"
    NO_SHOW = "no_show", "爽约"
    CANCELLED = "cancelled", "已取消"


ACTIVE = (State.BOOKED, State.CHECKED_IN)


class Booking(models.Model):
    """One person's place in a slot (or, for a walk-in, in the day's queue without a
    slot). A person has at most one active booking per service."""

    resource = models.ForeignKey(Resource, verbose_name="资源", on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey(Slot, verbose_name="号源", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="bookings")
    date = models.DateField("日期")
    person = models.ForeignKey(Person, verbose_name="预约人", on_delete=models.PROTECT, related_name="bookings")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约账号", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(ServiceItem, verbose_name="事项", on_delete=models.PROTECT, related_name="bookings")
    case = models.ForeignKey("cases.Case", verbose_name="关联办件", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="bookings")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.BOOKED)
    walk_in = models.BooleanField("现场取号", default=False)
    queue_number = models.PositiveIntegerField("排队号", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["date", "slot__start", "queue_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "service"], condition=Q(state__in=ACTIVE),
                                    name="booking_one_active_per_service"),
            models.UniqueConstraint(fields=["resource", "date", "queue_number"],
                                    condition=Q(queue_number__isnull=False), name="booking_queue_number_once"),
        ]
        indexes = [
            models.Index(fields=["resource", "date", "state"], name="booking_day"),
            models.Index(fields=["person", "state"], name="booking_person_state"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.service.name} · {self.date}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE
