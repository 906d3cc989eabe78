from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.models import OrgUnit


class _KeyPair(models.Model):
    """A private key (encrypted with the field key ring, see lib.crypto) and its
    certificate. Made only by the archive services, never edited."""

    subject = models.CharField(_("Certificate subject"), max_length=128)
    serial = models.CharField(_("Certificate serial number"), max_length=64)
    not_before = models.DateTimeField(_("Valid from"))
    not_after = models.DateTimeField(_("Valid until"))
    certificate_pem = models.TextField(_("Certificate"))
    private_key_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"


class SealAuthority(_KeyPair):
    """The internal CA that certifies every unit's seal key. One row, made on first
    use; `name` is unique so two processes making it at once end with one."""

    name = models.CharField(pgettext_lazy("thing", "Name"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("Seal CA")
        verbose_name_plural = _("Seal CA")


class SealKey(_KeyPair):
    """One of an org unit's seal keys and the certificate the internal CA issued for it
    (subject CN = the unit's name at issue). A unit has at most one key in use; a key
    renewed (its certificate near its end, or replaced by an admin) is retired and its
    seals stay valid; a key revoked (lost or compromised) no longer vouches for a seal
    on its own: a seal of it holds only where the trail shows that very document
    sealed before the revocation."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Unit"), on_delete=models.PROTECT, related_name="seal_keys")
    authority = models.ForeignKey(SealAuthority, verbose_name=_("Issuing CA"), on_delete=models.PROTECT,
                                  related_name="seal_keys")
    retired_at = models.DateTimeField(_("Retired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(pgettext_lazy("certificate", "Revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("Reason for revocation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Unit seal key")
        verbose_name_plural = _("Unit seal key")
        ordering = ["org_unit_id", "-created_at"]
        constraints = [
            # two processes making a unit's first (or next) key at once end with one
            models.UniqueConstraint(fields=["org_unit"], condition=Q(retired_at__isnull=True, revoked_at__isnull=True),
                                    name="archive_one_seal_key_in_use"),
        ]

    @property
    def state(self) -> str:
        return _("revoked") if self.revoked_at else _("retired") if self.retired_at else _("in use")


class SealedDocument(models.Model):
    """A document the platform issues under seal (a case's result notice, a waiver, a
    move-out notice), kept as the very bytes it was sealed into: each seal is added to
    the stored file in its own incremental update, at the act it attests, and every
    download serves the stored file. `number` is printed on the paper (and in its QR
    code) and is what the public verification page looks up; the row holds no personal
    data beyond the holder's masked name. Made and changed only by the archive
    services, which lock the row for each seal so two levels never clobber each other."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Case result notice")
        WAIVER = "waiver", _("Waiver confirmation")
        MOVE_OUT = "move_out", _("Collective household move-out notice")

    class State(models.TextChoices):
        SIGNING = "signing", _("Being sealed")
        ISSUED = "issued", _("Issued")
        VOID = "void", _("Void")

    number = models.CharField(_("Document number"), max_length=48, unique=True)
    kind = models.CharField(_("Kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("Title"), max_length=200)
    holder_masked = models.CharField(_("Holder"), max_length=32, blank=True)
    # what the document is about, e.g. ("cases.case", "42"): the archive sits below the
    # apps whose records it seals, so it names them as the audit trail does
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    state = models.CharField(_("Status"), max_length=16, choices=State.choices, default=State.SIGNING)
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField(_("File SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("Issued at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("Voided at"), null=True, blank=True)
    void_reason = models.CharField(_("Reason for voiding"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Sealed document")
        verbose_name_plural = _("Sealed document")
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"], name="archive_doc_subject")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DocumentSeal(models.Model):
    """One seal on a SealedDocument: which level (approval step) it attests, the unit
    whose key signed, the officer whose act applied it, and the file as it stood
    right after (its SHA-256, what the verification page matches)."""

    document = models.ForeignKey(SealedDocument, on_delete=models.PROTECT, related_name="seals")
    position = models.PositiveSmallIntegerField(_("Position"))
    level = models.CharField(_("Sealing level"), max_length=128)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Unit"), on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey("accounts.User", verbose_name=_("Signer"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("Signer"), max_length=150)
    key_serial = models.CharField(_("Certificate serial number"), max_length=64)
    signed_at = models.DateTimeField(_("Sealed at"), auto_now_add=True)
    sha256 = models.CharField(_("File SHA-256 after sealing"), max_length=64)

    class Meta:
        verbose_name = _("Document seal")
        verbose_name_plural = _("Document seal")
        ordering = ["document_id", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="archive_one_seal_per_position")]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.position} {self.level} {self.signer_name}"
