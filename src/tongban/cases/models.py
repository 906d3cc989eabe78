"""Cases (办件): an application under a frozen service version, the work items its
workflow creates, its timeline, its attachments and its serial numbers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import OrgUnit
from tongban.catalog.models import ServiceItem, ServiceVersion


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting acceptance")
    RETURNED = "returned", _("Return for correction")
    REFUSED = "refused", _("Not accepted")
    IN_APPROVAL = "in_approval", _("In approval")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.IN_APPROVAL)
FINAL_STATUSES = (Status.REFUSED, Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN)


class Case(models.Model):
    serial = models.CharField(_("Case number"), max_length=32, unique=True, null=True, blank=True)
    item = models.ForeignKey(ServiceItem, verbose_name=_("Service"), on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(ServiceVersion, verbose_name=_("Service version"), on_delete=models.PROTECT,
                                related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Applicant's account"),
                                  on_delete=models.PROTECT,
                                  related_name="cases")
    applicant_name = models.CharField(_("Applicant"), max_length=64)  # indexed by case_by_applicant_name
    # whom the application is about when applying for a child or relative
    subject_person = models.ForeignKey("people.Person", verbose_name=_("Person applied for"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="cases")
    on_behalf = models.CharField(_("Relation applied for"), max_length=32, blank=True)
    # the unit whose staff handle the case (the item's responsible unit) and the
    # applicant's own college/unit (for "the applicant's college" steps and scope)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Handling unit"), on_delete=models.PROTECT, related_name="+")
    applicant_unit = models.ForeignKey(OrgUnit, verbose_name=_("Applicant's unit"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("Form answers"), default=dict)  # ID and phone numbers masked here
    secrets_enc = models.TextField(blank=True, editable=False)  # encrypted JSON of the unmasked ones
    # indexed by case_by_status_newest (which leads with it)
    status = models.CharField(_("Status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    stage = models.PositiveSmallIntegerField(_("Current stage"), default=0)
    deficiencies = models.JSONField(_("Materials accepted as deficient"), default=list, blank=True)
    return_reason = models.TextField(_("Reason for return"), blank=True)
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("Accepted at"), null=True, blank=True)
    due_date = models.DateField(_("Promised completion date"), null=True, blank=True)
    completed_at = models.DateTimeField(_("Completed at"), null=True, blank=True)
    last_urged_at = models.DateTimeField(_("Last urged at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Case")
        verbose_name_plural = _("Cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="case_by_applicant"),
            models.Index(fields=["org_unit", "status"], name="case_by_unit_status"),
            models.Index(fields=["applicant_unit", "status"], name="case_by_applicant_unit_status"),
            # the search by a name's first characters (LIKE '侯%' whatever the collation)
            models.Index(fields=["applicant_name"], opclasses=["varchar_pattern_ops"], name="case_by_applicant_name"),
            # the staff's case list, newest first, with and without a status (Meta.ordering)
            models.Index(fields=["status", "-created_at", "-id"], name="case_by_status_newest"),
            models.Index(fields=["-created_at", "-id"], name="case_newest"),
        ]

    def __str__(self) -> str:
        return self.serial or gettext("Draft %(pk)s") % {"pk": self.pk}

    @property
    def config(self) -> dict:
        """The configuration of the version the case was made under (read-only)."""
        version = self._state.fields_cache.get("version")
        if version is not None:
            return version.config
        from tongban.catalog.selectors import version_config

        return version_config(self.version_id)


class WorkItem(models.Model):
    """The work one step of the workflow asks of the holders of a role in a unit."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("work item", "Open")
        DONE = "done", pgettext_lazy("to-do tab", "Done")
        SKIPPED = "skipped", _("Skipped")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        RETURN = "return", _("Return for correction")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_items")
    stage = models.PositiveSmallIntegerField(_("Stage"))
    step_key = models.CharField(_("Step code"), max_length=64)
    step_name = models.CharField(_("Step"), max_length=128)
    role = models.CharField(_("Role"), max_length=32)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Handling unit"), on_delete=models.PROTECT, related_name="+")
    needs_signature = models.BooleanField(_("Needs a seal"), default=False)
    state = models.CharField(_("Status"), max_length=16, choices=State.choices, default=State.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Claimed by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="claimed_work")
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    due_date = models.DateField(_("Deadline"))
    overdue_notified_on = models.DateField(_("Overdue reminder sent on"), null=True, blank=True)
    outcome = models.CharField(_("Outcome"), max_length=16, choices=Outcome.choices, blank=True)
    comment = models.TextField(pgettext_lazy("opinion", "Comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Handler"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="decided_work",
                                   db_index=False)  # work_by_decider leads with it
    decided_at = models.DateTimeField(_("Handled at"), null=True, blank=True)
    signed = models.BooleanField(_("Sealed"), default=False)

    class Meta:
        verbose_name = _("Work item")
        verbose_name_plural = _("Work items")
        ordering = ["due_date", "id"]
        # `include`: the to-do lists and the case search take the case ids of one's work
        # from the index alone
        indexes = [
            models.Index(fields=["org_unit", "role", "due_date"], name="work_open_by_unit",
                         condition=Q(state="open")),
            models.Index(fields=["org_unit", "role", "due_date", "id"], include=["case"], name="work_open_unclaimed",
                         condition=Q(state="open", assignee__isnull=True)),
            models.Index(fields=["assignee", "state"], include=["case"], name="work_by_assignee_case"),
            models.Index(fields=["decided_by", "-decided_at"], include=["case"], name="work_by_decider"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.step_name}"


class CaseEvent(models.Model):
    """The case's timeline: every action with who and when, shown to applicant and staff
    (the audit trail keeps the tamper-evident copy)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=32)
    label = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.label}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    material_key = models.CharField(_("Material"), max_length=64)
    file = models.FileField(upload_to="cases/%Y/%m/", max_length=200)
    original_name = models.CharField(_("File name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["material_key", "id"]

    def __str__(self) -> str:
        return self.original_name


class SerialCounter(models.Model):
    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="case_serial_counter")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class DelegationQuerySet(models.QuerySet):
    def active(self, on):
        """In force on `on`: begun, not ended, not revoked (a revocation ends it at once)."""
        return self.filter(start__lte=on, end__gte=on, revoked_at__isnull=True)


class Delegation(models.Model):
    """Someone's work handed to a colleague for a date range (leave, a trip). It gives
    the delegate the work its delegator holds in the units and roles the delegate
    holds too (checked at every use), until its end date or its revocation."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Delegator"), on_delete=models.CASCADE,
                                  related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Delegate"), on_delete=models.CASCADE,
                                 related_name="delegations_received")
    start = models.DateField(_("Starts on"))
    end = models.DateField(_("Ends on"))
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("Revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Revoked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Work delegation")
        verbose_name_plural = _("Work delegations")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(delegator=models.F("delegate")), name="delegation_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate}"

    def state_on(self, on) -> str:
        if self.revoked_at:
            return gettext("Revoked")
        if self.end < on:
            return gettext("Expired")
        return gettext("In effect") if self.start <= on else gettext("Not begun")
