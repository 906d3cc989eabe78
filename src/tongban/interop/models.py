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


class Subscription(models.Model):
    """A client's standing request: events of these types, posted to this URL, signed
    with this secret (Standard Webhooks)."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="subscriptions",
                               verbose_name=_("client"))
    url = models.URLField(_("receiving URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)  # "case.completed", "booking.*"
    # A push target: the service whose completed cases are pushed here (the effect
    # `interop.push`), with the answers named in `fields`; its answer goes on the case.
    service = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("pushed service"))
    fields = models.JSONField(_("answers sent"), default=list, blank=True)
    secret = models.CharField(max_length=100, editable=False)  # whsec_…, kept to sign with
    created_at = models.DateTimeField(_("subscribed at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["client", "pk"]

    def __str__(self) -> str:
        return f"{self.client} → {self.url}"

    def wants(self, event_type: str) -> bool:
        return any(t == event_type or (t.endswith(".*") and event_type.startswith(t[:-1]))
                   for t in self.event_types)


class Event(models.Model):
    """One thing that happened, CloudEvents-shaped, written in the act's transaction."""

    type = models.CharField(_("event type"), max_length=64, db_index=True)
    subject = models.CharField(_("subject"), max_length=100)  # "cases.case/42": order is kept per subject
    data = models.JSONField(_("data"), default=dict)
    unit = models.ForeignKey("accounts.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("unit"))
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"


class Delivery(models.Model):
    """An event on its way to one subscription: the outbox row and the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        FAILED = "failed", _("Will retry")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Given up")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="deliveries")
    subject = models.CharField(max_length=100)  # the event's, copied for the order-per-subject rule
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    since = models.DateTimeField(default=timezone.now)  # retries are counted from here (a replay resets it)
    claim = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        indexes = [models.Index(fields=["subscription", "subject", "event"])]
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="one_delivery_per_subscription")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.url}"


class ExternalTodo(models.Model):
    """A to-do another system pushed in for a person (消息通): shown beside tongban's own,
    linking back to where it is done. The system names it by its own `external_id`, so a
    push repeated (a retry, a resend) updates the one row instead of adding another."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="todos",
                               verbose_name=_("system"))
    external_id = models.CharField(_("ID in the system"), max_length=100)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("person"))
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)
    due = models.DateField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("pushed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("to-do from another system")
        verbose_name_plural = _("to-dos from other systems")
        constraints = [models.UniqueConstraint(fields=["client", "external_id"], name="interop_todo_once")]
        indexes = [models.Index(fields=["person", "done_at"], name="interop_todo_open")]

    def __str__(self) -> str:
        return self.title
