from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained trail.

    Who did it is kept as a snapshot (name, role, unit) beside the ids, so the entry
    reads the same after the account or the unit changes. `hash` is SHA-256 over the
    canonical entry, which includes `prev_hash`; `seq` has no gaps, so a removed entry
    shows as a break. On PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    seq = models.BigIntegerField(_("No."), unique=True)
    created_at = models.DateTimeField(_("Time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Actor's account"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    actor_name = models.CharField(_("Actor"), max_length=150, blank=True)
    role = models.CharField(_("Role"), max_length=32, blank=True)
    org_unit_id = models.BigIntegerField(_("Unit ID"), null=True, blank=True)
    org_unit_name = models.CharField(_("Unit"), max_length=128, blank=True)
    action = models.CharField(_("Operation"), max_length=64, db_index=True)
    object_type = models.CharField(_("Object type"), max_length=64, blank=True)
    object_id = models.CharField(_("Object number"), max_length=64, blank=True)
    summary = models.CharField(pgettext_lazy("audit entry", "Summary"), max_length=255)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent = models.CharField(_("Browser"), max_length=255, blank=True)
    details = models.JSONField(_("Details"), default=dict, blank=True)
    prev_hash = models.CharField(_("Previous hash"), max_length=64)
    hash = models.CharField(_("Hash"), max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "seq"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.summary}"
