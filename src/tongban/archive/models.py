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


class SealedDocument(models.Model):
    """A document the platform issues under seal (a case's result notice, a waiver, a
    move-out notice), kept as the very bytes it was sealed into: each seal is added to
    the stored file in its own incremental update, at the act it attests, and every
    download serves the stored file. `number` is printed on the paper (and in its QR
    code) and is what the public verification page looks up; the row holds no personal
    data beyond the holder's masked name. Made and changed only by the archive
    services, which lock the row for each seal so two levels never clobber each other."""

    class Kind(models.TextChoices):
        RESULT = "result", "办结通知书"
        WAIVER = "waiver", "不落户确认书"
        MOVE_OUT = "move_out", "集体户口迁出通知单"

    class State(models.TextChoices):
        SIGNING = "signing", "签章中"
        ISSUED = "issued", "已签发"
        VOID = "void", "已作废"

    number = models.CharField("文书编号", max_length=48, unique=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    holder_masked = models.CharField("持有人", max_length=32, blank=True)
    # what the document is about, e.g. ("cases.case", "42"): the archive sits below the
    # apps whose records it seals, so it names them as the audit trail does
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SIGNING)
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "签章文书"
        verbose_name_plural = "签章文书"
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"], name="archive_doc_subject")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DocumentSeal(models.Model):
    """One seal on a SealedDocument: which level (approval step) it attests, the unit
    whose key signed, the officer whose act applied it, and the file as it stood
    right after (its SHA-256, what the verification page matches)."""

    document = models.ForeignKey(SealedDocument, on_delete=models.PROTECT, related_name="seals")
    position = models.PositiveSmallIntegerField("序号")
    level = models.CharField("签章环节", max_length=128)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey("accounts.User", verbose_name="签章人", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField("签章人", max_length=150)
    key_serial = models.CharField("证书序列号", max_length=64)
    signed_at = models.DateTimeField("签章时间", auto_now_add=True)
    sha256 = models.CharField("签章后文件 SHA-256", max_length=64)

    class Meta:
        verbose_name = "文书签章"
        verbose_name_plural = "文书签章"
        ordering = ["document_id", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="archive_one_seal_per_position")]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.position} {self.level} {self.signer_name}"
