"""The collective household record of each student and staff member, and the waivers
they sign. Status changes only through `hukou.services` (called by case effects or an
officer's audited correction), never by saving a model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.people.models import Person


class Status(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting a choice")
    WAIVED = "waived", _("Not moving in")
    SUBMITTED = "submitted", _("Move-in under review")
    IN_SCHOOL = "in_school", _("In the collective household")
    STORED = "stored", _("Stored after graduation")
    MOVED_OUT = "moved_out", _("Moved out")


class HouseholdRecord(models.Model):
    person = models.OneToOneField(Person, verbose_name=_("Person"), on_delete=models.PROTECT,
                                  related_name="household")
    status = models.CharField(_("Household status"), max_length=16, choices=Status.choices, default=Status.AWAITING)
    # 户口迁移证
    certificate_number = models.CharField(_("Migration certificate number"), max_length=32, blank=True)
    birthplace = models.CharField(_("Birthplace"), max_length=128, blank=True)
    native_place = models.CharField(_("Native place"), max_length=128, blank=True)
    previous_address = models.CharField(_("Previous address"), max_length=255, blank=True)
    issuing_authority = models.CharField(_("Issuing authority"), max_length=128, blank=True)
    issue_date = models.DateField(_("Issue date"), null=True, blank=True)
    collective_address = models.CharField(_("Collective household address"), max_length=255, blank=True)
    moved_in_at = models.DateField(_("Moved in on"), null=True, blank=True)
    # after graduation: storage (户口暂存) is for graduates, those whose graduation the
    # office has recorded (see hukou.services.is_graduate)
    graduation_date = models.DateField(_("Graduation date"), null=True, blank=True)
    storage_start = models.DateField(_("Storage start"), null=True, blank=True)
    storage_expiry = models.DateField(_("Storage expiry"), null=True, blank=True, db_index=True)
    destination_address = models.CharField(_("Destination address"), max_length=255, blank=True)
    receiving_authority = models.CharField(_("Receiving public security office"), max_length=128, blank=True)
    moved_out_at = models.DateField(_("Moved out on"), null=True, blank=True)
    last_case = models.ForeignKey("cases.Case", verbose_name=_("Latest case"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("Set up at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Collective household record")
        verbose_name_plural = _("Collective household record")
        ordering = ["id"]  # lists name their own order (records(): by college, then number)
        indexes = [models.Index(fields=["status", "person"], name="household_status")]

    def __str__(self) -> str:
        return _("%(name)s: %(status)s") % {"name": self.person.name, "status": self.get_status_display()}


class WaiverAgreement(models.Model):
    """One version of the waiver's wording. A version someone has signed is never
    edited (the service refuses it): the office publishes a new version instead."""

    version = models.PositiveIntegerField(_("Version"), unique=True)
    title = models.CharField(_("Title"), max_length=100, default=_("Collective household waiver agreement"))
    body = models.TextField(pgettext_lazy("document", "Text"))
    active = models.BooleanField(_("In use"), default=False)
    created_at = models.DateTimeField(_("Set up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Waiver agreement")
        verbose_name_plural = _("Waiver agreement")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="one_active_waiver_agreement")]

    def __str__(self) -> str:
        return _("%(title)s (version %(version)s)") % {"title": self.title, "version": self.version}


class Waiver(models.Model):
    """The signed record: exactly the text the person confirmed, its version and digest,
    the account, the time and where from. Printable as a PDF."""

    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.PROTECT, related_name="waivers")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Confirming account"),
                                on_delete=models.PROTECT,
                                related_name="+")
    case = models.OneToOneField("cases.Case", verbose_name=_("Case"), on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(WaiverAgreement, verbose_name=_("Agreement version"), on_delete=models.PROTECT,
                                  related_name="signatures")
    title = models.CharField(max_length=100)
    text = models.TextField(_("Text confirmed"))
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("Confirmed at"))

    class Meta:
        verbose_name = _("Waiver record")
        verbose_name_plural = _("Waiver record")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return _("%(name)s · version %(version)s") % {"name": self.person.name, "version": self.agreement.version}


class BatchJob(models.Model):
    """A batch action over a filtered or selected list (remind, approve, export), run in
    the background with its progress on the row so the page can show it. Re-running
    a job is safe: reminders are keyed per day, approved cases are skipped, the export
    is written again."""

    class Kind(models.TextChoices):
        REMIND = "remind", _("Remind those who have not chosen")
        APPROVE = "approve", _("Approve in bulk")
        EXPORT = "export", _("Export to Excel")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("job", "Queued")
        RUNNING = "running", pgettext_lazy("job", "Running")
        DONE = "done", pgettext_lazy("job", "Done")
        FAILED = "failed", pgettext_lazy("job", "Failed")

    kind = models.CharField(_("Action"), max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filters = models.JSONField(default=dict, blank=True)
    selected = models.JSONField(default=list, blank=True)  # record ids, when a selection was made
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"name": …, "error": …}]
    # reminders: how many were reached by inbox, by text, and not at all
    reached = models.JSONField(_("Reached by"), default=dict, blank=True)  # {"inbox": n, "sms": n, "none": n}
    result = models.FileField(upload_to="hukou/exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Batch job")
        verbose_name_plural = _("Batch job")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state in (self.State.DONE, self.State.FAILED) else 0
        return min(100, self.done * 100 // self.total)
