from __future__ import annotations

from django.db import models

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
    """One org unit's seal: its signing key and the certificate the internal CA issued
    for it (subject CN = the unit's name at issue). At most one per unit."""

    org_unit = models.OneToOneField(OrgUnit, verbose_name="单位", on_delete=models.PROTECT,
                                    related_name="seal_key")
    authority = models.ForeignKey(SealAuthority, verbose_name="签发 CA", on_delete=models.PROTECT,
                                  related_name="seal_keys")

    class Meta:
        verbose_name = "单位签章密钥"
        verbose_name_plural = "单位签章密钥"
        ordering = ["org_unit__path"]
