"""Publishing a service: the draft (item, materials, form fields, steps) is checked as
a whole and frozen into a new ServiceVersion. A bad configuration is refused with a
message naming the table and row, and nothing is published."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action, Role
from tongban.audit.services import record
from tongban.catalog import conditions
from tongban.catalog.models import FieldType, FormField, ServiceItem, ServiceVersion, UnitRule
from tongban.lib.errors import ApplicationError

FILE_TYPES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx"}
GUIDE_FIELDS = ("conditions", "process", "promised_days", "statutory_days", "legal_basis", "fee", "visits",
                "place_hours", "enquiry_phone", "complaint", "faq")


def _refuse(table: str, row: int, what: str, message: str) -> ApplicationError:
    return ApplicationError("bad_configuration", f"{table}第 {row} 行（{what}）：{message}", field=table, row=row)


def _check_condition(text: str, known: set[str], table: str, row: int, what: str) -> None:
    try:
        conditions.check(text, known)
    except conditions.ConditionError as exc:
        raise _refuse(table, row, what, exc.message) from None


def _visibility_loop(fields: list[FormField]) -> list[str] | None:
    """A cycle of fields whose visibility depends on each other, if there is one."""
    depends = {f.key: set(conditions.parse(f.visible_if).names) for f in fields}
    state: dict[str, int] = {}

    def visit(key: str, trail: list[str]) -> list[str] | None:
        state[key] = 1
        for other in depends.get(key, ()):
            if state.get(other) == 1:
                return [*trail[trail.index(other):], other] if other in trail else [key, other]
            if other in depends and other not in state and (loop := visit(other, [*trail, other])):
                return loop
        state[key] = 2
        return None

    for key in depends:
        if key not in state and (loop := visit(key, [key])):
            return loop
    return None


def check_draft(item: ServiceItem) -> dict:
    """Check the whole draft; return the configuration to freeze."""
    fields = list(item.fields.all())
    materials = list(item.materials.all())
    steps = list(item.steps.all())
    known = {f.key for f in fields}
    for n, f in enumerate(fields, start=1):
        if not f.key.isidentifier():
            raise _refuse("表单字段", n, f.key, "字段代码只能由字母、数字和下划线组成，且不以数字开头")
        if f.type == FieldType.CHOICE and not f.option_list():
            raise _refuse("表单字段", n, f.key, "单选字段需要至少一个选项")
        _check_condition(f.visible_if, known - {f.key}, "表单字段", n, f.key)
    if loop := _visibility_loop(fields):
        raise ApplicationError("bad_configuration", f"表单字段的显示条件互相依赖：{' → '.join(loop)}",
                               field="表单字段")
    for n, m in enumerate(materials, start=1):
        _check_condition(m.condition, known, "申请材料", n, m.key)
        types = {t.strip().lower() for t in m.file_types.split(",") if t.strip()}
        if not types or types - FILE_TYPES:
            raise _refuse("申请材料", n, m.key, f"文件类型只能是 {', '.join(sorted(FILE_TYPES))}")
        if m.max_files < 1:
            raise _refuse("申请材料", n, m.key, "最多文件数至少为 1")
    if item.effect and item.effect not in effect_names():
        raise ApplicationError("bad_configuration", f"没有名为 {item.effect} 的办结处理程序", field="effect")
    if not steps and not item.effect:
        # A service with no step completes on submission (即办): only worth having when
        # completing does something, such as keeping a signed confirmation.
        raise ApplicationError("bad_configuration", "至少需要一个审批步骤（无需审批的即办事项须设置办结后的业务处理）",
                               field="审批步骤")
    first_stage = min((s.stage for s in steps), default=1)
    for n, s in enumerate(steps, start=1):
        if not s.role:
            raise _refuse("审批步骤", n, s.key, "未选择办理角色")
        if s.role in (Role.AUXILIARY, Role.APPLICANT):
            raise _refuse("审批步骤", n, s.key, "辅助人员和申请人不能办理审批步骤")
        if s.unit_rule == UnitRule.FIXED and s.unit_id is None:
            raise _refuse("审批步骤", n, s.key, "“指定单位”需要选择单位")
        if s.unit_rule in (UnitRule.PARENT_OF_PREVIOUS, UnitRule.SAME_AS_PREVIOUS) and s.stage == first_stage:
            raise _refuse("审批步骤", n, s.key, "第一阶段的步骤没有“上一步”")
        _check_condition(s.skip_if, known, "审批步骤", n, s.key)
    stages: dict[int, list[dict]] = {}
    for s in steps:
        stages.setdefault(s.stage, []).append({
            "key": s.key, "name": s.name, "role": s.role, "unit_rule": s.unit_rule, "unit_id": s.unit_id,
            "needs_signature": s.needs_signature, "time_limit_days": s.time_limit_days, "skip_if": s.skip_if})
    return {
        "item": {"id": item.pk, "code": item.code, "name": item.name, "category": item.category,
                 "org_unit_id": item.org_unit_id, "serial_prefix": item.serial_prefix,
                 "needs_acceptance": item.needs_acceptance, "effect": item.effect,
                 "booking_required": item.booking_required,
                 "audience": item.audience, "ways": item.ways,
                 "guide": {k: getattr(item, k) for k in GUIDE_FIELDS}},
        "fields": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required,
                    "options": f.option_list(), "help": f.help, "visible_if": f.visible_if, "prefill": f.prefill}
                   for f in fields],
        "materials": [{"key": m.key, "name": m.name, "description": m.description, "sample": m.sample,
                       "required": m.required, "core": m.core, "condition": m.condition,
                       "file_types": sorted({t.strip().lower() for t in m.file_types.split(",") if t.strip()}),
                       "max_files": m.max_files} for m in materials],
        "stages": [stages[k] for k in sorted(stages)],
    }


def effect_names() -> set[str]:
    from tongban.cases.effects import registered

    return set(registered())


def publish(*, actor: User | None, item: ServiceItem) -> ServiceVersion:
    """Freeze the draft as the next version and make it the one new applications use.
    Refuses a bad configuration (ApplicationError naming table and row). Cases already
    submitted keep the version they were submitted under."""
    if actor is not None:
        authorize(actor, Action.CATALOG_MANAGE, unit=item.org_unit)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        config = check_draft(item)
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ServiceVersion.objects.create(item=item, number=number, config=config, published_by=actor)
        item.current_version = version
        item.is_published = True
        item.save(update_fields=["current_version", "is_published", "updated_at"])
        record(actor=actor, action="catalog.publish", obj=item, summary=f"发布事项《{item.name}》第 {number} 版",
               details={"version": number, "steps": sum(len(s) for s in config["stages"]),
                        "fields": len(config["fields"]), "materials": len(config["materials"])})
    return version


def unpublish(*, actor: User | None, item: ServiceItem) -> ServiceItem:
    """Stop new applications; cases in flight go on under their version."""
    if actor is not None:
        authorize(actor, Action.CATALOG_MANAGE, unit=item.org_unit)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        item.is_published = False
        # saved, not updated by a queryset: the save tells the processes' caches
        # (lib/configcache) that the service is gone
        item.save(update_fields=["is_published", "updated_at"])
        record(actor=actor, action="catalog.unpublish", obj=item, summary=f"停用事项《{item.name}》")
    return item

