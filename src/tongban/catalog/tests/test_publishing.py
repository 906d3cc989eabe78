"""Publishing freezes the whole draft as a new version; a bad configuration is refused
with a message naming the table and the row, and nothing is published."""

import pytest

from tongban.accounts.roles import Role
from tongban.audit.models import AuditEntry
from tongban.catalog.models import FormField, Material, ServiceVersion, Step, UnitRule
from tongban.catalog.services import publish
from tongban.lib.errors import ApplicationError, NotAllowed

pytestmark = pytest.mark.django_db


def _refused(item, actor=None):
    with pytest.raises(ApplicationError) as caught:
        publish(actor=actor, item=item)
    assert not ServiceVersion.objects.filter(item=item).exists()
    return caught.value


def test_publishing_freezes_the_draft_as_version_one(draft, service_admin):
    version = publish(actor=service_admin, item=draft)
    draft.refresh_from_db()
    assert (version.number, draft.current_version, draft.is_published) == (1, version, True)
    assert [f["key"] for f in version.config["fields"]] == ["reason", "police_report"]
    assert [[s["key"] for s in stage] for stage in version.config["stages"]] == [["check"], ["police"]]
    assert version.config["materials"][0]["file_types"] == ["jpg", "png"]
    entry = AuditEntry.objects.get(action="catalog.publish")
    assert entry.details == {"version": 1, "steps": 2, "fields": 2, "materials": 2}


def test_editing_after_publishing_changes_nothing_until_the_next_version(draft):
    first = publish(actor=None, item=draft)
    FormField.objects.filter(item=draft, key="reason").update(label="新标签")
    first.refresh_from_db()
    assert first.config["fields"][0]["label"] == "补办原因"
    assert publish(actor=None, item=draft).number == 2


@pytest.mark.parametrize(("change", "message"), [
    (lambda item: FormField.objects.filter(item=item, key="police_report").update(visible_if='reasn == "遗失"'),
     "表单字段第 2 行（police_report）：未知字段 reasn"),
    (lambda item: Step.objects.filter(item=item, key="police").update(role=""),
     "审批步骤第 2 行（police）：未选择办理角色"),
    (lambda item: Step.objects.filter(item=item, key="police").update(role=Role.AUXILIARY),
     "审批步骤第 2 行（police）：辅助人员和申请人不能办理审批步骤"),
    (lambda item: Step.objects.filter(item=item, key="police").update(unit=None),
     "审批步骤第 2 行（police）：“指定单位”需要选择单位"),
    (lambda item: Step.objects.filter(item=item, key="check").update(unit_rule=UnitRule.PARENT_OF_PREVIOUS),
     "审批步骤第 1 行（check）：第一阶段的步骤没有“上一步”"),
    (lambda item: Step.objects.filter(item=item, key="police").update(skip_if="reason ="),
     None),
    (lambda item: FormField.objects.filter(item=item, key="reason").update(options=""),
     "表单字段第 1 行（reason）：单选字段需要至少一个选项"),
    (lambda item: FormField.objects.filter(item=item, key="reason").update(key="re-ason"),
     "表单字段第 1 行（re-ason）：字段代码只能由字母、数字和下划线组成，且不以数字开头"),
    (lambda item: Material.objects.filter(item=item, key="photo").update(file_types="exe"),
     "申请材料第 1 行（photo）：文件类型只能是 doc, docx, jpeg, jpg, pdf, png, xls, xlsx"),
    (lambda item: Material.objects.filter(item=item, key="old_card").update(condition="colour == 1"),
     "申请材料第 2 行（old_card）：未知字段 colour"),
    (lambda item: Step.objects.filter(item=item).delete(),
     "至少需要一个审批步骤（无需审批的即办事项须设置办结后的业务处理）"),
])
def test_a_bad_configuration_is_refused_naming_the_row(draft, change, message):
    change(draft)
    error = _refused(draft)
    assert error.code in ("bad_configuration",)
    if message:
        assert error.message == message
    else:
        assert error.message.startswith("审批步骤第 2 行（police）：")


def test_fields_whose_visibility_depends_on_each_other_are_a_loop(draft):
    FormField.objects.filter(item=draft, key="reason").update(visible_if='police_report != ""')
    error = _refused(draft)
    assert error.message == "表单字段的显示条件互相依赖：reason → police_report → reason"


def test_only_someone_who_manages_the_catalog_publishes(draft, world):
    with pytest.raises(NotAllowed):
        publish(actor=world.clerk, item=draft)


def test_an_unknown_effect_is_refused(draft):
    draft.effect = "hukou.nothing"
    draft.save()
    assert _refused(draft).message == "没有名为 hukou.nothing 的办结处理程序"


def test_a_service_without_steps_but_with_an_effect_publishes_and_completes_on_submission(draft, world):
    """即办: a confirmation kept by its effect (the household waiver) needs no approver."""
    from tongban.cases import services as cases
    from tongban.cases.models import Status
    from tongban.catalog.effects import register

    done = []
    register("test.instant", "即办测试")(lambda *, case, actor: done.append(case.pk))
    Step.objects.filter(item=draft).delete()
    Material.objects.filter(item=draft).delete()
    FormField.objects.filter(item=draft).delete()
    draft.effect = "test.instant"
    draft.save()
    publish(actor=None, item=draft)
    draft.refresh_from_db()
    case = cases.submit(actor=world.applicant, case=cases.start_application(actor=world.applicant, item=draft))
    assert case.status == Status.COMPLETED and done == [case.pk]
