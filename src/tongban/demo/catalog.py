"""The demo catalog: a dozen services across the university's offices and the police,
configured as a service admin would, then published. Seeding again changes nothing."""

from __future__ import annotations

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Role
from tongban.accounts.services import create_org_unit, create_user, grant_role
from tongban.catalog.models import FormField, Material, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish

# Offices that sign a graduate's leaving form in one parallel stage (离校手续).
LEAVING_OFFICES = [
    ("univ-library", "图书馆"), ("univ-finance", "财务处"), ("univ-dorm", "宿舍管理中心"),
    ("univ-students", "学生工作处"), ("univ-network", "网络信息中心"), ("univ-clinic", "校医院"),
    ("univ-archives", "档案馆"), ("univ-academic", "教务处"), ("univ-grad", "研究生院"),
    ("univ-security", "保卫处"),
]
EXTRA_ACCOUNTS = [
    # username, display name, role, unit code
    # work items go to the holders of a role in exactly the step's unit: the security
    # office's services are handled in 保卫处, so the officer holds the role there too
    ("officer", "孙户籍", Role.OFFICER, "univ-security"),
    ("academic", "教务处审批人", Role.APPROVER, "univ-academic"),
    ("cityapprover", "市局审批人", Role.APPROVER, "city"),
    # every college has its counsellor: a step sent to the applicant's college (a staff
    # move-in's personnel review, a degree-loss proof) finds someone in each
    ("college-law", "法学院辅导员", Role.COLLEGE_ADMIN, "univ-law"),
    ("college-info", "信息学院辅导员", Role.COLLEGE_ADMIN, "univ-info"),
    ("college-lang", "外语学院辅导员", Role.COLLEGE_ADMIN, "univ-lang"),
]

NAME = {"key": "name", "label": "姓名", "prefill": "name"}
ID = {"key": "id_number", "label": "身份证号", "type": "id_number", "prefill": "id_number"}
PHONE = {"key": "phone", "label": "联系电话", "type": "phone", "prefill": "phone"}
SNO = {"key": "student_number", "label": "学号", "prefill": "student_number"}
COLLEGE = {"key": "college", "label": "学院", "prefill": "college"}


def _step(key, name, role, rule=UnitRule.SERVICE_UNIT, stage=1, unit=None, sign=False, days=2, skip=""):
    return {"key": key, "name": name, "role": role, "unit_rule": rule, "stage": stage, "unit": unit,
            "needs_signature": sign, "time_limit_days": days, "skip_if": skip}


# 户口迁移证: the fields the hukou.move_in effect copies to the household record
CERTIFICATE = [
    {"key": "certificate_number", "label": "户口迁移证编号"},
    {"key": "birthplace", "label": "出生地"},
    {"key": "native_place", "label": "籍贯"},
    {"key": "previous_address", "label": "原住址", "type": "address"},
    {"key": "issuing_authority", "label": "签发机关"},
    {"key": "issue_date", "label": "签发日期", "type": "date"},
]

SERVICES = [
    # seed 002's gate case: an approved return opens the campus gate for the period (its
    # effect pushes the person and the dates to the gate system, demo.systems)
    {"code": "return-to-campus", "name": "返校申请", "category": "学生事务", "unit": "univ-students",
     "prefix": "FX", "audience": ["student"], "acceptance": False, "promised": 1, "effect": "interop.push",
     "fields": [NAME, SNO, COLLEGE, {"key": "return_date", "label": "返校日期", "type": "date"},
                {"key": "valid_until", "label": "通行有效期至", "type": "date"},
                {"key": "reason", "label": "返校事由"}],
     "materials": [], "steps": [_step("college", "辅导员审核", Role.COLLEGE_ADMIN, UnitRule.APPLICANT_UNIT, days=1)]},
    {"code": "hukou-move-in", "name": "新生集体户口迁入", "category": "集体户口", "unit": "univ-security",
     "prefix": "RH", "audience": ["student"], "acceptance": False, "promised": 5, "effect": "hukou.move_in",
     "fields": [NAME, ID, SNO, COLLEGE, *CERTIFICATE],
     "materials": [{"key": "certificate_photo", "name": "户口迁移证照片", "file_types": "jpg,png,pdf"}],
     "steps": [_step("security", "保卫处户籍审核", Role.OFFICER, days=3)]},
    {"code": "hukou-waiver", "name": "集体户口不落户确认", "category": "集体户口", "unit": "univ-security",
     "prefix": "BL", "audience": ["student", "staff"], "acceptance": False, "promised": 1, "effect": "hukou.waive",
     "fields": [{"key": "agreement_version", "label": "承诺书版本", "type": "number"},
                {"key": "agree", "label": "我已阅读并同意承诺书", "type": "yesno"}],
     "materials": [], "steps": []},
    {"code": "degree-loss", "name": "学士学位证书遗失证明", "category": "教务", "unit": "univ-academic",
     "prefix": "XW", "audience": ["student", "alumnus"], "acceptance": False, "promised": 5,
     "fields": [NAME, ID, SNO, COLLEGE, {"key": "year", "label": "毕业年份", "type": "number"},
                {"key": "reported", "label": "是否已登报声明", "type": "yesno"},
                {"key": "newspaper", "label": "登报报纸名称", "visible_if": 'reported == "是"'}],
     "materials": [{"key": "statement", "name": "遗失声明（本人签字）"},
                   {"key": "clipping", "name": "登报声明剪报", "core": False, "condition": 'reported == "是"'}],
     "steps": [_step("college", "学院审核", Role.COLLEGE_ADMIN, UnitRule.APPLICANT_UNIT),
               _step("academic", "教务处审批", Role.APPROVER, stage=2, sign=True),
               _step("print", "打印证明", Role.CLERK, UnitRule.SAME_AS_PREVIOUS, stage=3, days=1)]},
    {"code": "graduate-leaving", "name": "毕业生离校手续", "category": "学生事务", "unit": "univ-students",
     "prefix": "LX", "audience": ["student"], "acceptance": False, "promised": 5,
     "fields": [NAME, SNO, COLLEGE, {"key": "destination", "label": "毕业去向", "type": "choice",
                                     "options": "就业\n升学\n出国\n其他"}],
     "materials": [],
     "steps": [*[_step(code.removeprefix("univ-"), f"{name}确认", Role.CLERK, UnitRule.FIXED, unit=code, days=3)
                 for code, name in LEAVING_OFFICES],
               _step("college", "学院确认离校", Role.COLLEGE_ADMIN, UnitRule.APPLICANT_UNIT, stage=2)]},
    {"code": "no-criminal-record", "name": "无犯罪记录证明", "category": "户政", "unit": "east-1", "prefix": "WF",
     "audience": ["student", "staff", "resident"], "acceptance": True, "promised": 3, "visits": 1,
     "fields": [NAME, ID, PHONE, {"key": "purpose", "label": "用途", "type": "choice",
                                  "options": "就业\n出国\n入学\n其他"},
                {"key": "purpose_other", "label": "其他用途说明", "visible_if": 'purpose == "其他"'}],
     "materials": [{"key": "id_copy", "name": "身份证正反面", "file_types": "jpg,png,pdf"},
                   {"key": "employer_letter", "name": "用人单位证明", "core": False,
                    "condition": 'purpose == "就业"'}],
     "steps": [_step("station", "派出所审核", Role.OFFICER, sign=True)]},
    {"code": "id-card-reissue", "name": "居民身份证补领（在校）", "category": "户政", "unit": "univ-security",
     "prefix": "SF", "audience": ["student", "staff"], "acceptance": False, "promised": 2, "visits": 1,
     "fields": [NAME, ID, SNO, PHONE, {"key": "reason", "label": "补领原因", "type": "choice",
                                       "options": "遗失\n被盗\n损坏"},
                {"key": "report_no", "label": "报案回执编号", "visible_if": 'reason == "被盗"'}],
     "materials": [{"key": "photo", "name": "近期免冠证件照", "file_types": "jpg,png"}],
     "steps": [_step("security", "保卫处户籍审核", Role.OFFICER)]},
    {"code": "enrolment-proof", "name": "在读证明", "category": "学籍", "unit": "univ-students", "prefix": "ZD",
     "audience": ["student"], "acceptance": False, "promised": 2,
     "fields": [NAME, SNO, COLLEGE, {"key": "language", "label": "语言", "type": "choice", "options": "中文\n英文"}],
     "materials": [], "steps": [_step("college", "学院盖章", Role.COLLEGE_ADMIN, UnitRule.APPLICANT_UNIT, days=1)]},
    {"code": "hukou-move-in-city", "name": "户口迁入（市局审批）", "category": "户政", "unit": "east-1",
     "prefix": "HK", "audience": ["resident"], "acceptance": True, "promised": 10, "statutory": 20, "visits": 1,
     "fields": [NAME, ID, PHONE, {"key": "relation", "label": "与户主关系", "type": "choice",
                                  "options": "配偶\n子女\n父母\n其他"},
                {"key": "house_delivered", "label": "房屋是否已交付", "type": "yesno"},
                {"key": "address", "label": "迁入地址", "type": "address"}],
     "materials": [{"key": "household_book", "name": "户口簿"},
                   {"key": "relation_proof", "name": "关系证明"},
                   {"key": "utility_bills", "name": "近三个月水电费单据", "core": False,
                    "condition": 'house_delivered == "否"'}],
     "steps": [_step("station", "派出所初审", Role.OFFICER, sign=True),
               _step("branch", "分局审核", Role.APPROVER, UnitRule.PARENT_OF_PREVIOUS, stage=2, sign=True),
               _step("city", "市局审批", Role.APPROVER, UnitRule.PARENT_OF_PREVIOUS, stage=3, sign=True, days=5)]},
    {"code": "temporary-residence", "name": "居住证明（学生）", "category": "户政", "unit": "univ-security",
     "prefix": "JZ", "audience": ["student"], "acceptance": False, "promised": 3, "effect": "hukou.not_here_only",
     "fields": [NAME, ID, SNO, {"key": "dorm", "label": "宿舍地址", "type": "address"}],
     "materials": [], "steps": [_step("security", "保卫处审核", Role.OFFICER)]},
    {"code": "hukou-storage", "name": "毕业生户口暂存", "category": "集体户口", "unit": "univ-security",
     "prefix": "ZC", "audience": ["student"], "acceptance": False, "promised": 3, "effect": "hukou.store",
     "fields": [NAME, ID, SNO, PHONE, {"key": "months", "label": "暂存月数", "type": "number"}],
     "materials": [{"key": "agreement", "name": "暂存承诺书"}],
     "steps": [_step("college", "学院审核", Role.COLLEGE_ADMIN, UnitRule.APPLICANT_UNIT),
               _step("security", "保卫处审批", Role.OFFICER, stage=2)]},
    {"code": "hukou-move-out", "name": "集体户口迁出", "category": "集体户口", "unit": "univ-security",
     "prefix": "QC", "audience": ["student", "staff"], "acceptance": False, "promised": 5, "visits": 1,
     "effect": "hukou.move_out",
     "fields": [NAME, ID, SNO, {"key": "destination", "label": "迁往地址", "type": "address"},
                {"key": "authority", "label": "迁入地公安机关"}],
     "materials": [{"key": "admission", "name": "准予迁入证明（接收函）", "required": False}],
     "steps": [_step("security", "保卫处审批", Role.OFFICER, sign=True)]},
    {"code": "card-borrow", "name": "借用集体户口卡", "category": "集体户口", "unit": "univ-security",
     "prefix": "JK", "audience": ["student", "staff"], "acceptance": False, "promised": 1, "visits": 1,
     "effect": "hukou.card_loan", "booking": True,
     "fields": [NAME, SNO, {"key": "purpose", "label": "借用用途", "type": "choice",
                            "options": "办理护照\n办理驾照\n婚姻登记\n其他"}],
     "materials": [], "steps": [_step("security", "保卫处审核", Role.OFFICER, days=1)]},
    {"code": "leave-school-proof", "name": "教职工户口迁入", "category": "集体户口", "unit": "univ-security",
     "prefix": "RJ", "audience": ["staff"], "acceptance": False, "promised": 5, "effect": "hukou.move_in",
     "fields": [NAME, ID, PHONE, {"key": "department", "label": "所在部门"}, *CERTIFICATE],
     "materials": [{"key": "contract", "name": "聘用合同"}, {"key": "migration", "name": "户口迁移证"}],
     "steps": [_step("personnel", "人事部门审核", Role.COLLEGE_ADMIN, UnitRule.APPLICANT_UNIT),
               _step("security", "保卫处审批", Role.OFFICER, stage=2, sign=True)]},
]


def _extra_people(units: dict[str, OrgUnit], password: str) -> None:
    for code, name in LEAVING_OFFICES:
        if code not in units:
            units[code] = create_org_unit(actor=None, code=code, name=name, kind=OrgUnit.Kind.OFFICE,
                                          parent=units["univ"])
        username = f"dept-{code.removeprefix('univ-')}"
        user = User.objects.filter(username=username).first() or create_user(
            actor=None, username=username, password=password, display_name=f"{name}窗口")
        if not Membership.objects.filter(user=user, role=Role.CLERK, org_unit=units[code]).exists():
            grant_role(actor=None, user=user, role=Role.CLERK, org_unit=units[code])
    for username, display, role, code in EXTRA_ACCOUNTS:
        user = User.objects.filter(username=username).first() or create_user(
            actor=None, username=username, password=password, display_name=display)
        if not Membership.objects.filter(user=user, role=role, org_unit=units[code]).exists():
            grant_role(actor=None, user=user, role=role, org_unit=units[code])


def seed_catalog(units: dict[str, OrgUnit], password: str) -> int:
    """Create and publish the demo services that do not exist yet; return how many."""
    _extra_people(units, password)
    made = 0
    for spec in SERVICES:
        if ServiceItem.objects.filter(code=spec["code"]).exists():
            continue
        item = ServiceItem.objects.create(
            code=spec["code"], name=spec["name"], category=spec["category"], org_unit=units[spec["unit"]],
            serial_prefix=spec["prefix"], audience=spec["audience"], ways=["online"],
            needs_acceptance=spec["acceptance"], promised_days=spec["promised"],
            statutory_days=spec.get("statutory", 20), visits=spec.get("visits", 0),
            conditions="本人或其监护人申请。", process="在线申请 → 审核 → 办结通知",
            place_hours=f"{units[spec['unit']].name}，工作日 8:30–17:00", enquiry_phone="0000-12345678",
            complaint="12345 政务服务便民热线", effect=spec.get("effect", ""),
            booking_required=spec.get("booking", False))
        for order, field in enumerate(spec["fields"], start=1):
            FormField.objects.create(item=item, order=order, **{"required": True, **field})
        for order, material in enumerate(spec["materials"], start=1):
            Material.objects.create(item=item, order=order, **material)
        for order, step in enumerate(spec["steps"], start=1):
            unit = units[step["unit"]] if step["unit"] else None
            Step.objects.create(item=item, order=order, **{**step, "unit": unit})
        publish(actor=None, item=item)
        made += 1
    return made
