"""A system registered to call tongban: its OAuth 2.0 application (django-oauth-toolkit),
the scopes it was granted, the units whose data it may see, its rate of calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class ApiClient(models.Model):
    class Kind(models.TextChoices):
        EDUCATION = "education", _("Education platform")
        GATE = "gate", _("Gate access")
        DATA_CENTRE = "data_centre", _("Data centre")
        BUSINESS = "business", _("Business system")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    application = models.OneToOneField("oauth2_provider.Application", on_delete=models.PROTECT,
                                       related_name="api_client", verbose_name=_("OAuth application"))
    scopes = models.JSONField(_("scopes"), default=list)
    units = models.ManyToManyField("accounts.OrgUnit", verbose_name=_("data scope"), blank=True,
                                   related_name="+")
    rate_per_minute = models.PositiveIntegerField(_("calls per minute"), default=600)
    # After a rotation the previous secret (hashed) still opens until then: the system
    # can switch over without a gap.
    previous_secret = models.CharField(max_length=255, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("registered by"))
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def client_id(self) -> str:
        return self.application.client_id

    def scopes_text(self) -> str:
        from tongban.interop.scopes import Scope

        labels = dict(Scope.choices)
        return pgettext("list separator", ", ").join(str(labels.get(s, s)) for s in self.scopes)

    def units_text(self) -> str:
        return pgettext("list separator", ", ").join(u.name for u in self.units.all())
