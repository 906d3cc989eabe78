from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained trail.

    Who did it is kept as a snapshot (name, role, unit) beside the ids, so the entry
    reads the same after the account or the unit changes. `hash` is SHA-256 over the
    canonical entry, which includes `prev_hash`; `seq` has no gaps, so a removed entry
    shows as a break. On PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人账号", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    org_unit_id = models.BigIntegerField("单位编号", null=True, blank=True)
    org_unit_name = models.CharField("单位", max_length=128, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=255)
    ip = models.CharField("IP 地址", max_length=45, blank=True)
    user_agent = models.CharField("浏览器", max_length=255, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "seq"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.summary}"
