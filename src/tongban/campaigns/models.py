"""Campaigns (要我办, 任务填报): a published form sent to a cohort of people, each of whom
gets a to-do (an Assignment) and a message, fills the form on the phone and may correct
it until the close; an answer may need the counsellor's approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.models import OrgUnit
from tongban.catalog.models import ServiceItem, ServiceVersion


class Cohort(models.Model):
    """A saved list of people (a cohort kept from an uploaded list or from a campaign's
    recipients), to send later campaigns to."""

    name = models.CharField(_("Cohort name"), max_length=128)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CohortMember(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "person"], name="campaign_cohort_member_once")]

    def __str__(self) -> str:
        return f"{self.cohort_id}:{self.person_id}"


class Campaign(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Not sent")
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Sent")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("Campaign name"), max_length=128)
    instructions = models.TextField(_("Instructions to recipients"), blank=True)
    item = models.ForeignKey(ServiceItem, verbose_name=_("Form (published service)"), on_delete=models.PROTECT,
                             related_name="+")
    # the form as it was published when the campaign was made: a change later never
    # changes what recipients already answered
    version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Sending unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opens_at = models.DateTimeField(_("Opens at"))
    closes_at = models.DateTimeField(_("Closes at"))
    needs_approval = models.BooleanField(_("Counsellor approves each answer"), default=False)
    # the audience rule (see audience.Rule): every condition given must hold
    rule = models.JSONField(_("Audience rule"), default=dict, blank=True)
    cohort = models.ForeignKey(Cohort, verbose_name=_("Saved cohort"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    uses_list = models.BooleanField(_("Audience from an uploaded list"), default=False)
    list_confirmed = models.BooleanField(_("Uploaded list confirmed"), default=False)
    cloned_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    remind_hours_before = models.PositiveSmallIntegerField(
        _("Remind hours before the close"), default=24, help_text=_("0: no reminder before the close"))
    remind_every_days = models.PositiveSmallIntegerField(
        _("Remind every (days)"), default=0, help_text=_("0: no scheduled reminders"))
    # dispatch: a job on the row, as every long job keeps it (people.jobs)
    state = models.CharField(_("Status"), max_length=16, choices=State.choices, default=State.DRAFT)
    total = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="campaign_closes_after_opening")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.state == self.State.DONE and self.opens_at <= now < self.closes_at

    @property
    def closed(self) -> bool:
        return timezone.now() >= self.closes_at


class ListRow(models.Model):
    """One row of an uploaded audience list: the ID or student number as given (an ID
    number masked), and the person it matched, if any."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="list_rows")
    row = models.PositiveIntegerField(_("Row"))
    value = models.CharField(_("Value given"), max_length=64)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    problem = models.CharField(_("Problem"), max_length=200, blank=True)

    class Meta:
        ordering = ["campaign_id", "row"]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.row}"


class Assignment(models.Model):
    """One recipient's to-do of a campaign: sent, opened, filled, approved. Written once
    per campaign and person (the unique constraint makes dispatch idempotent)."""

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("campaign", "Not filled")
        FILLED = "filled", pgettext_lazy("campaign", "Filled")
        APPROVED = "approved", pgettext_lazy("campaign", "Approved")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    # the person's unit when sent: what the counsellor's and the college's scope read
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("Status"), max_length=16, choices=State.choices, default=State.SENT)
    sent_at = models.DateTimeField(_("Sent at"), auto_now_add=True)
    opened_at = models.DateTimeField(pgettext_lazy("campaign", "Opened at"), null=True, blank=True)
    filled_at = models.DateTimeField(_("Filled at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("Approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign to-do")
        verbose_name_plural = _("campaign to-dos")
        ordering = ["campaign_id", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="campaign_assignment_once")]
        indexes = [models.Index(fields=["campaign", "org_unit", "state"], name="campaign_assignment_scope"),
                   models.Index(fields=["person", "campaign"], name="campaign_assignment_person")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}"


class Answer(models.Model):
    """A recipient's answer: one per to-do (a second fill corrects it, never adds one)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="answer")
    answers = models.JSONField(_("Answers"), default=dict)  # ID and phone numbers masked here
    secrets_enc = models.TextField(blank=True, editable=False)
    submitted_at = models.DateTimeField(_("First filled at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Last corrected at"), auto_now=True)
    revisions = models.PositiveSmallIntegerField(_("Times filled"), default=1)

    class Meta:
        verbose_name = _("campaign answer")
        verbose_name_plural = _("campaign answers")

    def __str__(self) -> str:
        return f"answer {self.assignment_id}"


class Reminder(models.Model):
    """One reminder round of a campaign (before the close, scheduled, or asked for), and
    how many it reminded: the trail of who was chased when."""

    class Kind(models.TextChoices):
        BEFORE_CLOSE = "before_close", _("Before the close")
        SCHEDULED = "scheduled", _("Scheduled")
        ON_DEMAND = "on_demand", _("On demand")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=64)  # the round: a date for scheduled ones, "close" before the close
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind", "key"], name="campaign_reminder_round_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind} {self.key}"
