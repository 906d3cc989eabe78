"""The collective household record of each student and staff member, and the waivers
they sign. Status changes only through `hukou.services` (called by case effects or an
officer's audited correction), never by saving a model."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.people.models import Person


class Status(models.TextChoices):
    AWAITING = "awaiting", "待选择"
    WAIVED = "waived", "不落户"
    SUBMITTED = "submitted", "迁入审核中"
    IN_SCHOOL = "in_school", "在校集体户"
    STORED = "stored", "毕业暂存"
    MOVED_OUT = "moved_out", "已迁出"


class HouseholdRecord(models.Model):
    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.PROTECT,
                                  related_name="household")
    status = models.CharField("户口状态", max_length=16, choices=Status.choices, default=Status.AWAITING)
    # 户口迁移证
    certificate_number = models.CharField("迁移证编号", max_length=32, blank=True)
    birthplace = models.CharField("出生地", max_length=128, blank=True)
    native_place = models.CharField("籍贯", max_length=128, blank=True)
    previous_address = models.CharField("原住址", max_length=255, blank=True)
    issuing_authority = models.CharField("签发机关", max_length=128, blank=True)
    issue_date = models.DateField("签发日期", null=True, blank=True)
    collective_address = models.CharField("集体户地址", max_length=255, blank=True)
    moved_in_at = models.DateField("迁入日期", null=True, blank=True)
    # after graduation: storage (户口暂存) is for graduates, those whose graduation the
    # office has recorded (see hukou.services.is_graduate)
    graduation_date = models.DateField("毕业日期", null=True, blank=True)
    storage_start = models.DateField("暂存开始", null=True, blank=True)
    storage_expiry = models.DateField("暂存到期", null=True, blank=True, db_index=True)
    destination_address = models.CharField("迁往地址", max_length=255, blank=True)
    receiving_authority = models.CharField("迁入地公安机关", max_length=128, blank=True)
    moved_out_at = models.DateField("迁出日期", null=True, blank=True)
    last_case = models.ForeignKey("cases.Case", verbose_name="最近办件", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "集体户口记录"
        verbose_name_plural = "集体户口记录"
        ordering = ["id"]  # lists name their own order (records(): by college, then number)
        indexes = [models.Index(fields=["status", "person"], name="household_status")]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.get_status_display()}"


class WaiverAgreement(models.Model):
    """One version of the waiver's wording. A version someone has signed is never
    edited (the service refuses it): the office publishes a new version instead."""

    version = models.PositiveIntegerField("版本", unique=True)
    title = models.CharField("标题", max_length=100, default="集体户口不落户承诺书")
    body = models.TextField("正文")
    active = models.BooleanField("当前使用", default=False)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "不落户承诺书"
        verbose_name_plural = "不落户承诺书"
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="one_active_waiver_agreement")]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 版）"


class Waiver(models.Model):
    """The signed record: exactly the text the person confirmed, its version and digest,
    the account, the time and where from. Printable as a PDF."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="waivers")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认账号", on_delete=models.PROTECT,
                                related_name="+")
    case = models.OneToOneField("cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(WaiverAgreement, verbose_name="承诺书版本", on_delete=models.PROTECT,
                                  related_name="signatures")
    title = models.CharField(max_length=100)
    text = models.TextField("确认的正文")
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = "不落户确认记录"
        verbose_name_plural = "不落户确认记录"
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.person.name} · 第 {self.agreement.version} 版"


class BatchJob(models.Model):
    """A batch action over a filtered or selected list (remind, approve, export), run in
    the background with its progress on the row so the page can show it. Re-running
    a job is safe: reminders are keyed per day, approved cases are skipped, the export
    is written again."""

    class Kind(models.TextChoices):
        REMIND = "remind", "提醒尚未选择的人员"
        APPROVE = "approve", "批量审核通过"
        EXPORT = "export", "导出 Excel"

    class State(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("操作", max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filters = models.JSONField(default=dict, blank=True)
    selected = models.JSONField(default=list, blank=True)  # record ids, when a selection was made
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"name": …, "error": …}]
    # reminders: how many were reached by inbox, by text, and not at all
    reached = models.JSONField("送达方式", default=dict, blank=True)  # {"inbox": n, "sms": n, "none": n}
    result = models.FileField(upload_to="hukou/exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "批量操作"
        verbose_name_plural = "批量操作"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state in (self.State.DONE, self.State.FAILED) else 0
        return min(100, self.done * 100 // self.total)
