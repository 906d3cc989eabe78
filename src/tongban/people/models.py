from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.models import OrgUnit
from tongban.lib import crypto


class Category(models.TextChoices):
    UNDERGRADUATE = "undergraduate", _("Undergraduate")
    GRADUATE = "graduate", _("Graduate")
    STAFF = "staff", _("Staff member")
    RESIDENT = "resident", _("Resident")
    OTHER = "other", pgettext_lazy("person category", "Other")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    """A person the offices keep a record of. The citizen ID number and the phone are
    stored encrypted; `*_index` are keyed blind indexes for exact lookup and uniqueness;
    `*_masked` is what every page shows unless the viewer unmasks with a reason."""

    name = models.CharField(_("Name"), max_length=64, db_index=True)
    id_number_enc = models.TextField(editable=False)
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    gender = models.CharField(_("Gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("Date of birth"))
    region_code = models.CharField(_("Native region code"), max_length=6)
    category = models.CharField(_("Person category"), max_length=16, choices=Category.choices, db_index=True)
    student_number = models.CharField(_("Student or staff number"), max_length=32, blank=True, db_index=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("College or unit"), on_delete=models.PROTECT,
                                 related_name="people")
    enrolment_year = models.PositiveSmallIntegerField(_("Year of enrolment"), null=True, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("Mobile phone"), max_length=16, blank=True, editable=False)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("Bound account"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["org_unit_id", "student_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["student_number"], condition=~models.Q(student_number=""),
                                    name="person_student_number_unique"),
        ]

    def __str__(self) -> str:
        return _("%(name)s (%(id)s)") % {"name": self.name, "id": self.id_number_masked}

    # Reading the plain values is deliberate and audited by the caller (see
    # services.unmask); nothing in a template calls these.
    def plain_id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    def plain_phone(self) -> str:
        return crypto.decrypt(self.phone_enc)


class Relation(models.Model):
    """Someone a person's account may apply for: the relative is the person's `kind`
    (their child, say, for a parent applying). Usable only once verified, by staff who
    may edit the person or by an import from the office's own records; the applicant
    picks from these, never names someone by free text."""

    class Kind(models.TextChoices):
        CHILD = "child", _("Child")
        WARD = "ward", _("Ward")
        SPOUSE = "spouse", _("Spouse")
        PARENT = "parent", _("Parent")

    class Source(models.TextChoices):
        STAFF = "staff", _("Verified by staff")
        IMPORT = "import", pgettext_lazy("relation source", "Import")

    person = models.ForeignKey(Person, verbose_name=pgettext_lazy("relation", "Person"), on_delete=models.CASCADE,
                               related_name="relations")
    relative = models.ForeignKey(Person, verbose_name=_("Relative"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(pgettext_lazy("family", "Relation"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("Source"), max_length=16, choices=Source.choices, default=Source.STAFF)
    verified_at = models.DateTimeField(_("Verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Verified by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family relation")
        verbose_name_plural = _("family relations")
        ordering = ["person_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="person_relation_once"),
            models.CheckConstraint(condition=~models.Q(person=models.F("relative")), name="person_relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.relative.name}"


class ImportJob(models.Model):
    """One upload of a people file, run in the background with its progress kept here,
    so the page can show it and a re-run can pick it up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    report = models.TextField(blank=True)  # CSV: row,field,value,error (values masked)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("people import")
        verbose_name_plural = _("people imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
