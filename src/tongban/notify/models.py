from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.notify.events import Channel


class Template(models.Model):
    """The wording of one event on one channel. Shipped defaults are created from the
    event registry; service admins edit them in the back office. SMS and WeChat also
    name the provider-side template (SMS template code, WeChat template id)."""

    event = models.CharField("事件", max_length=64)
    channel = models.CharField("渠道", max_length=16, choices=Channel.CHOICES)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("正文", help_text="用 {变量名} 引用变量；短信与微信每行一个“参数名=内容”。")
    provider_template = models.CharField(
        "平台模板编号", max_length=64, blank=True, help_text="短信模板 CODE 或微信模板 ID；站内消息与邮件不用。")
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "通知模板"
        verbose_name_plural = "通知模板"
        ordering = ["event", "channel"]
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="notify_template_one_per_channel")]

    def __str__(self) -> str:
        return f"{self.event} · {Channel.LABELS.get(self.channel, self.channel)}"


class Message(models.Model):
    """One message to one recipient on one channel: the outbox row, its delivery
    history, and (for the inbox channel) the inbox item itself.

    Written by the service that causes it, inside its transaction; delivered by the
    relay. `key` is unique: the same business fact (this loan's reminder for this due
    date) can never be queued twice, however often a sweep runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败待重试"
        DEAD = "dead", "已放弃"

    key = models.CharField("幂等键", max_length=200, unique=True)
    # indexed by notify_inbox below, which leads with the recipient. A person with no
    # account yet (an imported freshman) is reached by text at their own phone: then
    # `person` names them and `recipient` is empty (never for the inbox).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE,
                                  related_name="messages", db_index=False, null=True, blank=True)
    person = models.ForeignKey("people.Person", verbose_name="收件人（未绑定账号）", on_delete=models.CASCADE,
                               related_name="+", null=True, blank=True)
    channel = models.CharField("渠道", max_length=16, choices=Channel.CHOICES)
    event = models.CharField("事件", max_length=64)
    kind = models.CharField("类别", max_length=32)
    context = models.JSONField("变量", default=dict)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("正文", blank=True)
    # SMS and WeChat: the provider template's parameters, rendered
    params = models.JSONField("模板参数", default=dict, blank=True)
    provider_template = models.CharField("平台模板编号", max_length=64, blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    provider_id = models.CharField("平台消息编号", max_length=128, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            # what the relay looks for; the inbox's list and unread count
            models.Index(fields=["status", "next_attempt_at"], name="notify_due",
                         condition=Q(status__in=["pending", "failed", "sending"])),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notify_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | (Q(person__isnull=False) & ~Q(channel="inbox")),
                name="notify_message_has_a_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or self.event} → {self.recipient_id or f'person {self.person_id}'}"


class Preference(models.Model):
    """The channels a user chose for one kind of message (the inbox always receives)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences")
    kind = models.CharField("类别", max_length=32)
    channels = models.JSONField("渠道", default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notify_preference_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"


class OptOut(models.Model):
    """"No more text messages", for one person or one phone number, as staff recorded it
    (the provider's TD/退订 replies do not reach the hall). Respected by every SMS,
    to an account or to a person with none, when it is queued and again when it is
    sent."""

    person = models.ForeignKey("people.Person", verbose_name="人员", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=16, blank=True, editable=False)
    reason = models.CharField("原因", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "短信退订"
        verbose_name_plural = "短信退订"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | ~Q(phone_index=""),
                                   name="notify_optout_names_someone"),
            models.UniqueConstraint(fields=["person"], condition=Q(person__isnull=False),
                                    name="notify_optout_one_per_person"),
            models.UniqueConstraint(fields=["phone_index"], condition=~Q(phone_index=""),
                                    name="notify_optout_one_per_phone"),
        ]

    def __str__(self) -> str:
        return f"退订：{self.phone_masked or self.person_id}"
