"""The catalog: service items with their guide, materials, form and workflow, edited
as a draft in the back office and published as immutable versions; and the closures
that, with the national calendar, decide which days are working days."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Role


class Audience(models.TextChoices):
    STUDENT = "student", _("Student")
    STAFF = "staff", _("Staff")
    # a student whose graduation the office has recorded (hukou says who): not the
    # person category 研究生 (people.Category.GRADUATE), a postgraduate student
    GRADUATE = "graduate", pgettext_lazy("audience", "Graduate")
    RESIDENT = "resident", _("Resident")
    VISITOR = "visitor", _("Visitor")
    PARENT = "parent", pgettext_lazy("audience", "Parent")
    ALUMNUS = "alumnus", _("Alumnus")


class Way(models.TextChoices):
    ONLINE = "online", _("Online")
    APPOINTMENT = "appointment", _("By appointment")
    WINDOW = "window", _("At the counter")


class ServiceItem(models.Model):
    """A service (事项) and its guide (办事指南). Its materials, form fields and steps
    are the draft; `publish` checks the whole and freezes it as a ServiceVersion."""

    code = models.SlugField(_("Service code"), max_length=64, unique=True)
    name = models.CharField(_("Service name"), max_length=128)
    category = models.CharField(_("Service category"), max_length=64, blank=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Responsible unit"), on_delete=models.PROTECT,
                                 related_name="service_items")
    serial_prefix = models.CharField(_("Case number prefix"), max_length=8, default="TB",
                                     help_text=_("E.g. HK: case numbers look like HK-2026-000123"))
    audience = models.JSONField(_("Who it serves"), default=list, blank=True)
    ways = models.JSONField(_("Ways to apply"), default=list, blank=True)
    needs_acceptance = models.BooleanField(_("Needs acceptance"), default=True,
                                           help_text=_("The counter accepts first (possibly with materials to "
                                                       "follow), then approval begins; unticked, approval "
                                                       "begins on submission"))
    booking_required = models.BooleanField(_("Needs an appointment in person"), default=False,
                                           help_text=_("The applicant must first book a time at the counter "
                                                       "(linked to this application) before submitting"))
    effect = models.CharField(_("Effect on completion"), max_length=64, blank=True,
                              help_text=_("The name of a handler the system registered, e.g. hukou.move_in; "
                                          "empty, completion only notifies"))
    is_published = models.BooleanField(_("Published"), default=False)
    current_version = models.ForeignKey("ServiceVersion", verbose_name=_("Current version"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    # the guide
    conditions = models.TextField(_("Conditions"), blank=True)
    process = models.TextField(_("Process"), blank=True)
    promised_days = models.PositiveSmallIntegerField(_("Promised time limit (working days)"), default=5)
    statutory_days = models.PositiveSmallIntegerField(_("Statutory time limit (working days)"), default=20)
    legal_basis = models.TextField(_("Legal basis"), blank=True)
    fee = models.CharField("收费标准", max_length=200, blank=True, default="不收费")  # i18n: data
    visits = models.PositiveSmallIntegerField(_("Visits in person"), default=0)
    place_hours = models.TextField(_("Place and hours"), blank=True)
    enquiry_phone = models.CharField(_("Enquiry phone"), max_length=64, blank=True)
    complaint = models.CharField(_("Complaints"), max_length=200, blank=True)
    faq = models.TextField(_("Frequently asked questions"), blank=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("service")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("No."), default=0)
    key = models.SlugField(_("Material code"), max_length=64)
    name = models.CharField(_("Material name"), max_length=128)
    description = models.TextField(_("Explanation"), blank=True)
    sample = models.TextField(_("Sample / example"), blank=True)
    required = models.BooleanField(_("Must be submitted"), default=True)
    core = models.BooleanField(_("Core material"), default=True, help_text=_("A material that is not core may "
                                                                             "follow after acceptance"))
    condition = models.CharField(
        _("Condition for submitting"), max_length=300, blank=True,
        help_text=_('Whether it is needed, from the form\'s answers, e.g. house_delivered == "否"'))  # i18n: data
    file_types = models.CharField(_("Allowed file types"), max_length=64, default="pdf,jpg,png")
    max_files = models.PositiveSmallIntegerField(_("Most files"), default=3)

    class Meta:
        verbose_name = _("Materials")
        verbose_name_plural = _("Materials")
        ordering = ["item_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_material_key")]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", pgettext_lazy("field type", "Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    YESNO = "yesno", _("Yes/no")
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Mobile number")
    ADDRESS = "address", _("Address")
    FILE = "file", _("File")


class Prefill(models.TextChoices):
    NONE = "", _("No prefill")
    NAME = "name", _("Name")
    ID_NUMBER = "id_number", _("ID number")
    STUDENT_NUMBER = "student_number", _("Student / staff number")
    COLLEGE = "college", _("College / unit")
    PHONE = "phone", _("Mobile number")
    CATEGORY = "category", _("Category of person")
    ENROLMENT_YEAR = "enrolment_year", _("Year of enrolment")
    GENDER = "gender", _("Sex")
    BIRTH_DATE = "birth_date", _("Date of birth")


class FormField(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField(_("No."), default=0)
    key = models.SlugField(_("Field code"), max_length=64)
    label = models.CharField(_("Label"), max_length=128)
    type = models.CharField(_("Type"), max_length=16, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("Required"), default=True)
    options = models.TextField(_("Options"), blank=True, help_text=_("The options of a single choice, one a line"))
    help = models.CharField(_("Help text"), max_length=300, blank=True)
    visible_if = models.CharField(_("Shown when"), max_length=300, blank=True,
                                  help_text=_('E.g. relation == "本人"; empty, always shown'))  # i18n: data (an answer)
    prefill = models.CharField(_("Prefilled from"), max_length=32, choices=Prefill.choices, blank=True)

    class Meta:
        verbose_name = _("Form fields")
        verbose_name_plural = _("Form fields")
        ordering = ["item_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_field_key")]

    def __str__(self) -> str:
        return self.label

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class UnitRule(models.TextChoices):
    FIXED = "fixed", _("Fixed unit")
    SERVICE_UNIT = "service_unit", _("The service's unit")
    APPLICANT_UNIT = "applicant_unit", _("The applicant's college / unit")
    PARENT_OF_PREVIOUS = "parent_of_previous", _("Above the previous step's unit")
    SAME_AS_PREVIOUS = "same_as_previous", _("Same unit as the previous step")


class Step(models.Model):
    """One step of the workflow. Steps with the same stage number run in parallel and
    must all finish before the next stage starts."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps")
    stage = models.PositiveSmallIntegerField(_("Stage"), default=1, help_text=_("Steps of one stage are handled "
                                                                                "side by side"))
    order = models.PositiveSmallIntegerField(_("No."), default=0)
    key = models.SlugField(_("Step code"), max_length=64)
    name = models.CharField(_("Step name"), max_length=128)
    role = models.CharField(_("Handling role"), max_length=32, choices=Role.choices, blank=True)
    unit_rule = models.CharField(_("Handling unit"), max_length=32, choices=UnitRule.choices,
                                 default=UnitRule.SERVICE_UNIT)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("Fixed unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    needs_signature = models.BooleanField(_("Needs a signature"), default=False)
    time_limit_days = models.PositiveSmallIntegerField(_("Time limit (working days)"), default=2)
    skip_if = models.CharField(_("Skipped when"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Approval steps")
        verbose_name_plural = _("Approval steps")
        ordering = ["item_id", "stage", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_step_key")]

    def __str__(self) -> str:
        return self.name


class ServiceVersion(models.Model):
    """A published, frozen configuration of a service item. Cases point at the version
    they were submitted under; nothing ever changes a version."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("Version number"))
    config = models.JSONField(_("Configuration snapshot"))
    published_at = models.DateTimeField(_("Published at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("Service version")
        verbose_name_plural = _("Service version")
        ordering = ["item_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="catalog_version_number")]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"


class Closure(models.Model):
    """Days an org unit (and every unit below it) does not work, beyond the national
    calendar's holidays: a move, a local event, a training day."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Unit"), on_delete=models.CASCADE, related_name="closures")
    start = models.DateField(_("Start date"))
    end = models.DateField(_("End date"))
    reason = models.CharField(_("Reason"), max_length=128)

    class Meta:
        verbose_name = _("Unit closure")
        verbose_name_plural = _("Unit closure")
        ordering = ["-start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="catalog_closure_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.start}–{self.end} {self.reason}"


class CalendarYear(models.Model):
    """A year of the national calendar. `complete` says its holidays and make-up working
    days are all entered (the State Council publishes them each autumn for the year
    after); a deadline counted through a year that is not complete is flagged."""

    year = models.PositiveSmallIntegerField(_("Year"), primary_key=True)
    complete = models.BooleanField(_("Complete"), default=False,
                                   help_text=_("Every holiday and make-up working day the State Council "
                                               "announced is entered"))
    source = models.CharField(_("Source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Holiday year")
        verbose_name_plural = _("Holiday year")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("Year %(year)s") % {"year": self.year}


class CalendarDay(models.Model):
    """A day that departs from Monday-to-Friday: a public holiday, or a weekend day
    worked in exchange (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day")

    year = models.ForeignKey(CalendarYear, verbose_name=_("Year"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("Date"), unique=True)
    kind = models.CharField(_("Type"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("Name of the day"), max_length=64)

    class Meta:
        verbose_name = _("Holiday")
        verbose_name_plural = _("Holiday")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
