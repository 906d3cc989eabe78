"""The household business archive: the catalog of household business (14 categories,
56 sub-items, each with its service code, materials, capture list, approval levels and
time limit), published as frozen versions; and the captures the window makes of a
case's papers (one PDF/A per capture-list item), of the applicant's on-site portrait,
and of a person's historical paper archive. Nothing here is ever deleted: a retake
supersedes a capture and both stay."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Levels(models.TextChoices):
    STATION = "station", _("Station only")
    BRANCH = "branch", _("Station, then branch")
    CITY = "city", _("Station, branch, then city")


class Category(models.Model):
    """A category of household business (出生登记, 户口迁入 …) with the basic code
    (基本编码, GB/T 39554.1-2020) its sub-items share."""

    code = models.CharField(_("Category number"), max_length=8, unique=True)
    name = models.CharField(_("Category"), max_length=64)
    basic_code = models.CharField(_("Basic code"), max_length=32,
                                  help_text=_("The basic code of GB/T 39554.1-2020 (item type, main item, sub-item)"))
    order = models.PositiveSmallIntegerField(_("No."), default=0)

    class Meta:
        verbose_name = _("Household business category")
        verbose_name_plural = _("Household business categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SubItem(models.Model):
    """One sub-item (业务办理项) of household business. `materials` is the list of
    papers the applicant brings ([{name, required}]); `captures` the capture list the
    window works through ([{key, name, order, due_days, required, min_width,
    min_height}]: due_days working days after acceptance, 0 at acceptance). `service`,
    when set, is the configured service whose cases follow this sub-item."""

    category = models.ForeignKey(Category, verbose_name=_("Category"), on_delete=models.PROTECT,
                                 related_name="sub_items")
    business_item = models.CharField(_("Business item code"), max_length=8)
    name = models.CharField(_("Sub-item"), max_length=64)
    order = models.PositiveSmallIntegerField(_("No."), default=0)
    approval_levels = models.CharField(_("Approval levels"), max_length=16, choices=Levels.choices,
                                       default=Levels.STATION)
    time_limit_days = models.PositiveSmallIntegerField(_("Time limit (working days)"), default=5)
    materials = models.JSONField(_("Required materials"), default=list, blank=True)
    captures = models.JSONField(_("Capture list"), default=list, blank=True)
    service = models.OneToOneField("catalog.ServiceItem", verbose_name=_("Configured service"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="household_business")
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Household business sub-item")
        verbose_name_plural = _("Household business sub-items")
        ordering = ["category__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "business_item"], name="records_one_business_item")]

    def __str__(self) -> str:
        return f"{self.service_code} {self.name}"

    @property
    def service_code(self) -> str:
        """The implementing code: the category's basic code and this business item."""
        return f"{self.category.basic_code}-{self.business_item}"


class CatalogVersion(models.Model):
    """The whole catalog as published at one moment (a snapshot, never changed): a
    case's capture list is read from the version it was bound to (CaseFile), so an
    edit of the catalog never changes the capture list of a case in flight."""

    number = models.PositiveIntegerField(_("Version number"), unique=True)
    config = models.JSONField(_("Configuration snapshot"))
    published_at = models.DateTimeField(_("Published at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("Household business catalog version")
        verbose_name_plural = _("Household business catalog versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


class CaseFile(models.Model):
    """A case's archive file (案卷): the sub-item it follows, frozen from the catalog
    version current when its first capture was made."""

    case = models.OneToOneField("cases.Case", verbose_name=_("Case"), on_delete=models.PROTECT,
                                related_name="archive_file")
    version = models.ForeignKey(CatalogVersion, verbose_name=_("Catalog version"), on_delete=models.PROTECT,
                                related_name="+")
    sub_item = models.JSONField(_("Sub-item snapshot"))
    opened_at = models.DateTimeField(_("Opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Case archive file")
        verbose_name_plural = _("Case archive files")

    def __str__(self) -> str:
        return f"{self.case} · {self.sub_item.get('name', '')}"


class Capture(models.Model):
    """One capture: the pages of one capture-list item (or the portrait, or a
    historical paper) as one PDF/A file, with its SHA-256, who captured it, when and
    with what. A retake supersedes the capture it replaces (`superseded_by`); both
    stay, and only the newest counts."""

    class Kind(models.TextChoices):
        MATERIAL = "material", _("Case material")
        PORTRAIT = "portrait", _("On-site portrait of the applicant")
        HISTORICAL = "historical", _("Historical paper archive")

    class Source(models.TextChoices):
        CAMERA = "camera", _("Camera")
        UPLOAD = "upload", _("Uploaded scan")

    kind = models.CharField(_("Kind"), max_length=16, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", verbose_name=_("Case"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="captures")
    person = models.ForeignKey("people.Person", verbose_name=_("Person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="archive_captures")
    org_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("Unit"), on_delete=models.PROTECT,
                                 related_name="+")
    item_key = models.CharField(_("Capture item"), max_length=64)
    item_name = models.CharField(_("Capture item"), max_length=128)
    file = models.FileField(upload_to="records/%Y/%m/", max_length=200)
    sha256 = models.CharField(_("File SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("Size"))
    pages = models.PositiveSmallIntegerField(_("Pages"))
    pdfa = models.BooleanField(_("PDF/A"), default=True)
    page_digests = models.JSONField(_("SHA-256 of each page as captured"), default=list)
    source = models.CharField(_("Source"), max_length=16, choices=Source.choices)
    device = models.CharField(_("Device"), max_length=200, blank=True)
    captured_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Captured by"), on_delete=models.PROTECT,
                                    related_name="+")
    captured_by_name = models.CharField(_("Captured by"), max_length=150)
    captured_at = models.DateTimeField(_("Captured at"), auto_now_add=True)
    due_date = models.DateField(_("Capture due by"), null=True, blank=True)
    late = models.BooleanField(_("Captured late"), default=False)
    superseded_by = models.OneToOneField("self", verbose_name=_("Superseded by"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="supersedes")
    superseded_at = models.DateTimeField(_("Superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Capture")
        verbose_name_plural = _("Captures")
        ordering = ["item_key", "-captured_at", "-id"]
        constraints = [
            # one current capture per item of a case: two clerks saving at once, one wins
            models.UniqueConstraint(fields=["case", "item_key"], condition=Q(superseded_at__isnull=True,
                                                                           case__isnull=False),
                                    name="records_one_current_capture"),
            models.CheckConstraint(condition=Q(case__isnull=False) | Q(person__isnull=False),
                                   name="records_capture_has_a_subject"),
        ]
        indexes = [models.Index(fields=["person", "kind"], name="records_capture_person")]

    def __str__(self) -> str:
        return f"{self.item_name} ({self.captured_at:%Y-%m-%d %H:%M})" if self.captured_at else self.item_name
