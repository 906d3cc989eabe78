from __future__ import annotations

from django.db import models
from django.db.models import Q

from tongban.accounts.models import OrgUnit


class _KeyPair(models.Model):
    """A private key (encrypted with the field key ring, see lib.crypto) and its
    certificate. Made only by the archive services, never edited."""

    subject = models.CharField("证书主体", max_length=128)
    serial = models.CharField("证书序列号", max_length=64)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("到期时间")
    certificate_pem = models.TextField("证书")
    private_key_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"


class SealAuthority(_KeyPair):
    """The internal CA that certifies every unit's seal key. One row, made on first
    use; `name` is unique so two processes making it at once end with one."""

    name = models.CharField("名称", max_length=64, unique=True)

    class Meta:
        verbose_name = "签章 CA"
        verbose_name_plural = "签章 CA"


class SealKey(_KeyPair):
    """One of an org unit's seal keys and the certificate the internal CA issued for it
    (subject CN = the unit's name at issue). A unit has at most one key in use; a key
    renewed (its certificate near its end, or replaced by an admin) is retired and its
    seals stay valid; a key revoked (lost or compromised) no longer vouches for a seal
    on its own: a seal of it holds only where the trail shows that very document
    sealed before the revocation."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="seal_keys")
    authority = models.ForeignKey(SealAuthority, verbose_name="签发 CA", on_delete=models.PROTECT,
                                  related_name="seal_keys")
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "单位签章密钥"
        verbose_name_plural = "单位签章密钥"
        ordering = ["org_unit_id", "-created_at"]
        constraints = [
            # two processes making a unit's first (or next) key at once end with one
            models.UniqueConstraint(fields=["org_unit"], condition=Q(retired_at__isnull=True, revoked_at__isnull=True),
                                    name="archive_one_seal_key_in_use"),
        ]

    @property
    def state(self) -> str:
        return "已吊销" if self.revoked_at else "已停用" if self.retired_at else "使用中"
