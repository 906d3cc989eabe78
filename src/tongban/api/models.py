"""What the API keeps of its own: the first answer to each Idempotency-Key."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """A POST that carried an Idempotency-Key: whose it was (a signed-in user or a
    registered system), a fingerprint of what it asked, and the answer it got, replayed
    for the same key and body for a day. No status yet: it is still being answered."""

    owner = models.CharField(_("caller"), max_length=64)  # "user:12", "client:3"
    key = models.CharField(_("Idempotency-Key"), max_length=255)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="api_idempotency_once")]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_age")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
