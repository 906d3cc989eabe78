from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel


class Template(models.Model):
    """The wording of one event on one channel. Shipped defaults are created from the
    event registry; service admins edit them in the back office. SMS and WeChat also
    name the provider-side template (SMS template code, WeChat template id)."""

    event = models.CharField(_("Event"), max_length=64)
    channel = models.CharField(_("Channel"), max_length=16, choices=Channel.CHOICES)
    subject = models.CharField(_("Subject"), max_length=200, blank=True)
    body = models.TextField(_("Body"), help_text=_(
        # xgettext:no-python-brace-format
        "Refer to a variable as {name}; for SMS and WeChat, one “parameter=text” per line."))
    provider_template = models.CharField(
        _("Provider template ID"), max_length=64, blank=True, help_text=_("The SMS template CODE or the WeChat "
                                                                          "template ID; not used for the inbox and "
                                                                          "email."))
    enabled = models.BooleanField(_("Enabled"), default=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Message template")
        verbose_name_plural = _("Message template")
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
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Given up")

    key = models.CharField(_("Idempotency key"), max_length=200, unique=True)
    # indexed by notify_inbox below, which leads with the recipient. A person with no
    # account yet (an imported freshman) is reached by text at their own phone: then
    # `person` names them and `recipient` is empty (never for the inbox).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Recipient"), on_delete=models.CASCADE,
                                  related_name="messages", db_index=False, null=True, blank=True)
    person = models.ForeignKey("people.Person", verbose_name=_("Recipient (no account bound)"),
                               on_delete=models.CASCADE,
                               related_name="+", null=True, blank=True)
    channel = models.CharField(_("Channel"), max_length=16, choices=Channel.CHOICES)
    event = models.CharField(_("Event"), max_length=64)
    kind = models.CharField(_("Kind"), max_length=32)
    context = models.JSONField(_("Variables"), default=dict)
    subject = models.CharField(_("Subject"), max_length=200, blank=True)
    body = models.TextField(_("Body"), blank=True)
    # SMS and WeChat: the provider template's parameters, rendered
    params = models.JSONField(_("Template parameters"), default=dict, blank=True)
    provider_template = models.CharField(_("Provider template ID"), max_length=64, blank=True)
    link = models.CharField(_("Link"), max_length=300, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("Attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("Next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    provider_id = models.CharField(_("Provider message ID"), max_length=128, blank=True)
    error = models.TextField(_("Error"), blank=True)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("Delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("Read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Message")
        verbose_name_plural = _("Message")
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
    kind = models.CharField(_("Kind"), max_length=32)
    channels = models.JSONField(_("Channel"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Notification preference")
        verbose_name_plural = _("Notification preference")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notify_preference_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"


class OptOut(models.Model):
    """"No more text messages", for one person or one phone number, as staff recorded it
    (the provider's TD/退订 replies do not reach the hall). Respected by every SMS,
    to an account or to a person with none, when it is queued and again when it is
    sent."""

    person = models.ForeignKey("people.Person", verbose_name=_("Person"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("Mobile number"), max_length=16, blank=True, editable=False)
    reason = models.CharField(_("Reason"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("Recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-out")
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
        return _("Opt-out: %(who)s") % {"who": self.phone_masked or self.person_id}
