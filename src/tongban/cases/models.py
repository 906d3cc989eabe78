"""Cases (办件): an application under a frozen service version, the work items its
workflow creates, its timeline, its attachments and its serial numbers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.accounts.models import OrgUnit
from tongban.catalog.models import ServiceItem, ServiceVersion


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待受理"
    RETURNED = "returned", "退回补正"
    REFUSED = "refused", "不予受理"
    IN_APPROVAL = "in_approval", "审批中"
    COMPLETED = "completed", "已办结"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.IN_APPROVAL)
FINAL_STATUSES = (Status.REFUSED, Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN)


class Case(models.Model):
    serial = models.CharField("办件编号", max_length=32, unique=True, null=True, blank=True)
    item = models.ForeignKey(ServiceItem, verbose_name="事项", on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(ServiceVersion, verbose_name="事项版本", on_delete=models.PROTECT,
                                related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号", on_delete=models.PROTECT,
                                  related_name="cases")
    applicant_name = models.CharField("申请人", max_length=64)  # indexed by case_by_applicant_name
    # whom the application is about when applying for a child or relative
    subject_person = models.ForeignKey("people.Person", verbose_name="办理对象", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="cases")
    on_behalf = models.CharField("代办关系", max_length=32, blank=True)
    # the unit whose staff handle the case (the item's responsible unit) and the
    # applicant's own college/unit (for "the applicant's college" steps and scope)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="办理单位", on_delete=models.PROTECT, related_name="+")
    applicant_unit = models.ForeignKey(OrgUnit, verbose_name="申请人单位", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField("表单内容", default=dict)  # ID and phone numbers masked here
    secrets_enc = models.TextField(blank=True, editable=False)  # encrypted JSON of the unmasked ones
    # indexed by case_by_status_newest (which leads with it)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    stage = models.PositiveSmallIntegerField("当前阶段", default=0)
    deficiencies = models.JSONField("容缺材料", default=list, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    due_date = models.DateField("承诺办结日期", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    last_urged_at = models.DateTimeField("最近催办", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="case_by_applicant"),
            models.Index(fields=["org_unit", "status"], name="case_by_unit_status"),
            models.Index(fields=["applicant_unit", "status"], name="case_by_applicant_unit_status"),
            # the search by a name's first characters (LIKE '侯%' whatever the collation)
            models.Index(fields=["applicant_name"], opclasses=["varchar_pattern_ops"], name="case_by_applicant_name"),
            # the staff's case list, newest first, with and without a status (Meta.ordering)
            models.Index(fields=["status", "-created_at", "-id"], name="case_by_status_newest"),
            models.Index(fields=["-created_at", "-id"], name="case_newest"),
        ]

    def __str__(self) -> str:
        return self.serial or f"草稿 {self.pk}"

    @property
    def config(self) -> dict:
        """The configuration of the version the case was made under (read-only)."""
        version = self._state.fields_cache.get("version")
        if version is not None:
            return version.config
        from tongban.catalog.selectors import version_config

        return version_config(self.version_id)


class WorkItem(models.Model):
    """The work one step of the workflow asks of the holders of a role in a unit."""

    class State(models.TextChoices):
        OPEN = "open", "待办"
        DONE = "done", "已办"
        SKIPPED = "skipped", "已跳过"
        CANCELLED = "cancelled", "已取消"

    class Outcome(models.TextChoices):
        APPROVE = "approve", "同意"
        REJECT = "reject", "不同意"
        RETURN = "return", "退回补正"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_items")
    stage = models.PositiveSmallIntegerField("阶段")
    step_key = models.CharField("步骤代码", max_length=64)
    step_name = models.CharField("步骤", max_length=128)
    role = models.CharField("角色", max_length=32)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="办理单位", on_delete=models.PROTECT, related_name="+")
    needs_signature = models.BooleanField("需要签章", default=False)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认领人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="claimed_work")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    due_date = models.DateField("办理期限")
    overdue_notified_on = models.DateField("超期提醒日", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, blank=True)
    comment = models.TextField("意见", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="decided_work",
                                   db_index=False)  # work_by_decider leads with it
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    signed = models.BooleanField("已签章", default=False)

    class Meta:
        verbose_name = "待办事项"
        verbose_name_plural = "待办事项"
        ordering = ["due_date", "id"]
        # `include`: the to-do lists and the case search take the case ids of one's work
        # from the index alone
        indexes = [
            models.Index(fields=["org_unit", "role", "due_date"], name="work_open_by_unit",
                         condition=Q(state="open")),
            models.Index(fields=["org_unit", "role", "due_date", "id"], include=["case"], name="work_open_unclaimed",
                         condition=Q(state="open", assignee__isnull=True)),
            models.Index(fields=["assignee", "state"], include=["case"], name="work_by_assignee_case"),
            models.Index(fields=["decided_by", "-decided_at"], include=["case"], name="work_by_decider"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.step_name}"


class CaseEvent(models.Model):
    """The case's timeline: every action with who and when, shown to applicant and staff
    (the audit trail keeps the tamper-evident copy)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=32)
    label = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.label}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    material_key = models.CharField("材料", max_length=64)
    file = models.FileField(upload_to="cases/%Y/%m/", max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["material_key", "id"]

    def __str__(self) -> str:
        return self.original_name


class SerialCounter(models.Model):
    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="case_serial_counter")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class DelegationQuerySet(models.QuerySet):
    def active(self, on):
        """In force on `on`: begun, not ended, not revoked (a revocation ends it at once)."""
        return self.filter(start__lte=on, end__gte=on, revoked_at__isnull=True)


class Delegation(models.Model):
    """Someone's work handed to a colleague for a date range (leave, a trip). It gives
    the delegate the work its delegator holds in the units and roles the delegate
    holds too (checked at every use), until its end date or its revocation."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="委托人", on_delete=models.CASCADE,
                                  related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="受托人", on_delete=models.CASCADE,
                                 related_name="delegations_received")
    start = models.DateField("开始")
    end = models.DateField("结束")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = "工作委托"
        verbose_name_plural = "工作委托"
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(delegator=models.F("delegate")), name="delegation_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate}"

    def state_on(self, on) -> str:
        if self.revoked_at:
            return "已撤销"
        if self.end < on:
            return "已到期"
        return "生效中" if self.start <= on else "未开始"
