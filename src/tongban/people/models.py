from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.accounts.models import OrgUnit
from tongban.lib import crypto


class Category(models.TextChoices):
    UNDERGRADUATE = "undergraduate", "本科生"
    GRADUATE = "graduate", "研究生"
    STAFF = "staff", "教职工"
    RESIDENT = "resident", "居民"
    OTHER = "other", "其他"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(models.Model):
    """A person the offices keep a record of. The citizen ID number and the phone are
    stored encrypted; `*_index` are keyed blind indexes for exact lookup and uniqueness;
    `*_masked` is what every page shows unless the viewer unmasks with a reason."""

    name = models.CharField("姓名", max_length=64, db_index=True)
    id_number_enc = models.TextField(editable=False)
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    region_code = models.CharField("籍贯地区码", max_length=6)
    category = models.CharField("人员类别", max_length=16, choices=Category.choices, db_index=True)
    student_number = models.CharField("学号/工号", max_length=32, blank=True, db_index=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="学院/单位", on_delete=models.PROTECT,
                                 related_name="people")
    enrolment_year = models.PositiveSmallIntegerField("入学年份", null=True, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=16, blank=True, editable=False)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="绑定账号", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["org_unit_id", "student_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["student_number"], condition=~models.Q(student_number=""),
                                    name="person_student_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

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
        CHILD = "child", "子女"
        WARD = "ward", "被监护人"
        SPOUSE = "spouse", "配偶"
        PARENT = "parent", "父母"

    class Source(models.TextChoices):
        STAFF = "staff", "工作人员核实"
        IMPORT = "import", "导入"

    person = models.ForeignKey(Person, verbose_name="本人", on_delete=models.CASCADE, related_name="relations")
    relative = models.ForeignKey(Person, verbose_name="亲属", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("关系", max_length=16, choices=Kind.choices)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.STAFF)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "亲属关系"
        verbose_name_plural = "亲属关系"
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
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

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
        verbose_name = "人员导入"
        verbose_name_plural = "人员导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
