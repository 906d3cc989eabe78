"""The assistant's own rows: the FAQ entries service admins write beside a guide, and
the questions people asked with what they were answered and whether it helped (the
staff read the unanswered and unhelpful ones to improve the guides and synonyms)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import ServiceItem


class FAQ(models.Model):
    service = models.ForeignKey(ServiceItem, verbose_name=_("Service"), on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(_("Question"), max_length=200)
    answer = models.TextField(_("Answer"))
    is_active = models.BooleanField(_("Shown"), default=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["service_id", "pk"]

    def __str__(self) -> str:
        return self.question


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NOT_SURE = "not_sure", _("Not sure")
    REFUSED = "refused", _("Outside the hall")
    CLARIFY = "clarify", _("Asked to clarify")
    EMPTY = "empty", _("Nothing asked")


class Question(models.Model):
    """One question asked and what it got. The text is kept as typed (cut to its first
    500 characters); it is shown escaped like any other text."""

    text = models.CharField(_("Question"), max_length=500)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Asked by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("Outcome"), max_length=16, choices=Outcome.choices)
    service = models.ForeignKey(ServiceItem, verbose_name=_("Service answered"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    part = models.CharField(_("Part asked for"), max_length=32, blank=True)
    confidence = models.FloatField(_("Confidence"), default=0.0)
    helpful = models.BooleanField(_("Helpful"), null=True, blank=True)
    asked_at = models.DateTimeField(_("Asked at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Question asked")
        verbose_name_plural = _("Questions asked")
        ordering = ["-asked_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:50]
