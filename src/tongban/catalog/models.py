"""The catalog: service items with their guide, materials, form and workflow, edited
as a draft in the back office and published as immutable versions; and the closures
that, with the national calendar, decide which days are working days."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.accounts.models import OrgUnit
from tongban.accounts.roles import Role


class Audience(models.TextChoices):
    STUDENT = "student", "学生"
    STAFF = "staff", "教职工"
    # a student whose graduation the office has recorded (hukou says who): not the
    # person category 研究生 (people.Category.GRADUATE), a postgraduate student
    GRADUATE = "graduate", "毕业生"
    RESIDENT = "resident", "居民"
    VISITOR = "visitor", "访客"
    PARENT = "parent", "家长"
    ALUMNUS = "alumnus", "校友"


class Way(models.TextChoices):
    ONLINE = "online", "网上办理"
    APPOINTMENT = "appointment", "预约办理"
    WINDOW = "window", "窗口办理"


class ServiceItem(models.Model):
    """A service (事项) and its guide (办事指南). Its materials, form fields and steps
    are the draft; `publish` checks the whole and freezes it as a ServiceVersion."""

    code = models.SlugField("事项编码", max_length=64, unique=True)
    name = models.CharField("事项名称", max_length=128)
    category = models.CharField("分类", max_length=64, blank=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="责任单位", on_delete=models.PROTECT,
                                 related_name="service_items")
    serial_prefix = models.CharField("办件编号前缀", max_length=8, default="TB",
                                     help_text="如 HK，办件编号形如 HK-2026-000123")
    audience = models.JSONField("服务对象", default=list, blank=True)
    ways = models.JSONField("办理方式", default=list, blank=True)
    needs_acceptance = models.BooleanField("需要受理", default=True,
                                           help_text="窗口先受理（可容缺受理）再进入审批；不勾选则提交后直接审批")
    booking_required = models.BooleanField("需要预约到场", default=False,
                                           help_text="申请人须先预约窗口时间（与本申请关联）才能提交")
    effect = models.CharField("办结后的业务处理", max_length=64, blank=True,
                              help_text="由系统登记的处理程序名，如 hukou.move_in；留空则办结时只通知")
    is_published = models.BooleanField("已发布", default=False)
    current_version = models.ForeignKey("ServiceVersion", verbose_name="当前版本", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    # the guide
    conditions = models.TextField("办理条件", blank=True)
    process = models.TextField("办理流程", blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）", default=5)
    statutory_days = models.PositiveSmallIntegerField("法定时限（工作日）", default=20)
    legal_basis = models.TextField("设定依据", blank=True)
    fee = models.CharField("收费标准", max_length=200, blank=True, default="不收费")
    visits = models.PositiveSmallIntegerField("到现场次数", default=0)
    place_hours = models.TextField("办理地点和时间", blank=True)
    enquiry_phone = models.CharField("咨询电话", max_length=64, blank=True)
    complaint = models.CharField("投诉渠道", max_length=200, blank=True)
    faq = models.TextField("常见问题", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField("序号", default=0)
    key = models.SlugField("材料代码", max_length=64)
    name = models.CharField("材料名称", max_length=128)
    description = models.TextField("说明", blank=True)
    sample = models.TextField("样表/示例说明", blank=True)
    required = models.BooleanField("必须提交", default=True)
    core = models.BooleanField("核心材料", default=True, help_text="非核心材料可容缺受理、事后补正")
    condition = models.CharField("提交条件", max_length=300, blank=True,
                                 help_text='按表单答案决定是否需要，如 house_delivered == "否"')
    file_types = models.CharField("允许的文件类型", max_length=64, default="pdf,jpg,png")
    max_files = models.PositiveSmallIntegerField("最多文件数", default=3)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["item_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_material_key")]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    NUMBER = "number", "数字"
    DATE = "date", "日期"
    CHOICE = "choice", "单选"
    YESNO = "yesno", "是/否"
    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "手机号"
    ADDRESS = "address", "地址"
    FILE = "file", "文件"


class Prefill(models.TextChoices):
    NONE = "", "不预填"
    NAME = "name", "姓名"
    ID_NUMBER = "id_number", "身份证号"
    STUDENT_NUMBER = "student_number", "学号/工号"
    COLLEGE = "college", "学院/单位"
    PHONE = "phone", "手机号"
    CATEGORY = "category", "人员类别"
    ENROLMENT_YEAR = "enrolment_year", "入学年份"
    GENDER = "gender", "性别"
    BIRTH_DATE = "birth_date", "出生日期"


class FormField(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField("序号", default=0)
    key = models.SlugField("字段代码", max_length=64)
    label = models.CharField("标签", max_length=128)
    type = models.CharField("类型", max_length=16, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField("必填", default=True)
    options = models.TextField("选项", blank=True, help_text="单选的选项，每行一个")
    help = models.CharField("填写说明", max_length=300, blank=True)
    visible_if = models.CharField("显示条件", max_length=300, blank=True,
                                  help_text='如 relation == "本人"；留空为始终显示')
    prefill = models.CharField("预填来源", max_length=32, choices=Prefill.choices, blank=True)

    class Meta:
        verbose_name = "表单字段"
        verbose_name_plural = "表单字段"
        ordering = ["item_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_field_key")]

    def __str__(self) -> str:
        return self.label

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class UnitRule(models.TextChoices):
    FIXED = "fixed", "指定单位"
    SERVICE_UNIT = "service_unit", "事项责任单位"
    APPLICANT_UNIT = "applicant_unit", "申请人所在学院/单位"
    PARENT_OF_PREVIOUS = "parent_of_previous", "上一步单位的上级"
    SAME_AS_PREVIOUS = "same_as_previous", "与上一步相同单位"


class Step(models.Model):
    """One step of the workflow. Steps with the same stage number run in parallel and
    must all finish before the next stage starts."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps")
    stage = models.PositiveSmallIntegerField("阶段", default=1, help_text="同一阶段的步骤并行办理")
    order = models.PositiveSmallIntegerField("序号", default=0)
    key = models.SlugField("步骤代码", max_length=64)
    name = models.CharField("步骤名称", max_length=128)
    role = models.CharField("办理角色", max_length=32, choices=Role.choices, blank=True)
    unit_rule = models.CharField("办理单位", max_length=32, choices=UnitRule.choices, default=UnitRule.SERVICE_UNIT)
    unit = models.ForeignKey(OrgUnit, verbose_name="指定单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    needs_signature = models.BooleanField("需要签章", default=False)
    time_limit_days = models.PositiveSmallIntegerField("时限（工作日）", default=2)
    skip_if = models.CharField("跳过条件", max_length=300, blank=True)

    class Meta:
        verbose_name = "审批步骤"
        verbose_name_plural = "审批步骤"
        ordering = ["item_id", "stage", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="catalog_step_key")]

    def __str__(self) -> str:
        return self.name


class ServiceVersion(models.Model):
    """A published, frozen configuration of a service item. Cases point at the version
    they were submitted under; nothing ever changes a version."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    config = models.JSONField("配置快照")
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="catalog_version_number")]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"


class Closure(models.Model):
    """Days an org unit (and every unit below it) does not work, beyond the national
    calendar's holidays: a move, a local event, a training day."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.CASCADE, related_name="closures")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=128)

    class Meta:
        verbose_name = "单位停办日"
        verbose_name_plural = "单位停办日"
        ordering = ["-start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="catalog_closure_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.start}–{self.end} {self.reason}"


class CalendarYear(models.Model):
    """A year of the national calendar. `complete` says its holidays and make-up working
    days are all entered (the State Council publishes them each autumn for the year
    after); a deadline counted through a year that is not complete is flagged."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    complete = models.BooleanField("数据完整", default=False,
                                   help_text="已录入国务院公布的全部节假日和调休上班日")
    source = models.CharField("来源", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日年度"
        verbose_name_plural = "节假日年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class CalendarDay(models.Model):
    """A day that departs from Monday-to-Friday: a public holiday, or a weekend day
    worked in exchange (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日"
        WORKDAY = "workday", "调休上班"

    year = models.ForeignKey(CalendarYear, verbose_name="年份", on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=64)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
