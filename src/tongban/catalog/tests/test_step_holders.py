"""A workflow that can finish: publishing refuses a step whose role nobody holds in
a unit the step can be sent to, naming the step and the unit; `tongban
check-workflows` and the back office list the live services that have such a step."""

from io import StringIO

import pytest
from django.core.management import call_command

from tongban.accounts.models import Membership
from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.catalog.models import ServiceItem, ServiceVersion, Step, UnitRule
from tongban.catalog.services import live_gaps, publish
from tongban.lib.errors import ApplicationError

pytestmark = pytest.mark.django_db


def _refusal(item) -> ApplicationError:
    before = ServiceVersion.objects.filter(item=item).count()
    with pytest.raises(ApplicationError) as caught:
        publish(actor=None, item=item)
    assert ServiceVersion.objects.filter(item=item).count() == before
    return caught.value


def test_a_step_whose_unit_has_nobody_in_its_role_is_refused_naming_step_and_unit(draft, world):
    Step.objects.filter(item=draft, key="police").update(unit=world.west)
    error = _refusal(draft)
    assert error.code == "step_without_holder"
    assert "审批步骤“派出所办理”（police）：西城分局没有在岗的窗口受理员" in error.message


def test_a_holder_in_a_unit_above_is_not_a_holder_of_the_step(draft, world):
    # the officer of the whole university is not in 保卫处: work items go to exactly the step's unit
    Membership.objects.filter(user=world.officer, org_unit=world.security).delete()
    assert "保卫处没有在岗的户籍民警/户籍管理员" in _refusal(draft).message


def test_a_deactivated_holder_holds_nothing(draft, world):
    world.clerk.is_active = False
    world.clerk.save(update_fields=["is_active"])
    assert "东门派出所没有在岗的窗口受理员" in _refusal(draft).message


def test_every_college_an_applicant_can_come_from_needs_its_counsellor(draft, world):
    Step.objects.filter(item=draft, key="check").update(role=Role.COLLEGE_ADMIN, unit_rule=UnitRule.APPLICANT_UNIT)
    publish(actor=None, item=draft)  # everyone is in 经济学院 so far, and its counsellor is there
    world.person(unit=world.law, name="法学院学生")
    assert "法学院没有在岗的学院管理员/辅导员" in _refusal(draft).message
    law = create_user(actor=None, username="law_admin", password="x-long-password", display_name="法学院辅导员")
    grant_role(actor=None, user=law, role=Role.COLLEGE_ADMIN, org_unit=world.law)
    assert publish(actor=None, item=draft).number == 2


def test_a_colleges_staff_only_service_does_not_ask_for_students_colleges(draft, world):
    Step.objects.filter(item=draft, key="check").update(role=Role.COLLEGE_ADMIN, unit_rule=UnitRule.APPLICANT_UNIT)
    draft.audience = ["resident"]
    draft.save()
    world.person(unit=world.law, name="法学院学生")
    world.person(unit=world.east_1, name="居民", category="resident")
    assert "东门派出所没有在岗的学院管理员/辅导员" in _refusal(draft).message
    assert "法学院" not in _refusal(draft).message


def test_the_parent_of_the_previous_steps_unit_needs_a_holder(draft, world):
    Step.objects.create(item=draft, stage=3, key="branch", name="分局审核", role=Role.APPROVER,
                        unit_rule=UnitRule.PARENT_OF_PREVIOUS)
    publish(actor=None, item=draft)  # 东门派出所 → 东城分局, where the approver is
    Step.objects.filter(item=draft, key="branch").update(role=Role.OFFICER)
    assert "东城分局没有在岗的户籍民警/户籍管理员" in _refusal(draft).message


def test_a_step_after_a_stage_that_may_be_skipped_can_take_the_unit_before_it(draft, world):
    Step.objects.filter(item=draft, key="police").update(skip_if='reason == "到期"')
    Step.objects.create(item=draft, stage=3, key="again", name="同单位复核", role=Role.CLERK,
                        unit_rule=UnitRule.SAME_AS_PREVIOUS)
    # stage 2 skipped, "previous" is 保卫处 (stage 1), where no clerk works
    assert "审批步骤“同单位复核”（again）：保卫处没有在岗的窗口受理员" in _refusal(draft).message


def test_a_service_admin_publishing_sees_the_refusal_too(service_admin, draft, world, login):
    Step.objects.filter(item=draft, key="police").update(unit=world.west)
    answer = login(service_admin).post(f"/admin/catalog/serviceitem/{draft.pk}/publish/", follow=True)
    assert "未发布：审批步骤“派出所办理”（police）：西城分局没有在岗的窗口受理员" in answer.content.decode()
    assert not ServiceItem.objects.get(pk=draft.pk).is_published


@pytest.fixture
def stalled(draft, world):
    """Published while 东门派出所 had its clerk; the clerk has since lost the role."""
    publish(actor=None, item=draft)
    Membership.objects.filter(user=world.clerk, role=Role.CLERK).delete()
    return draft


def test_the_report_lists_live_services_whose_step_lost_its_holder(stalled, world):
    [(item, gaps)] = live_gaps()
    assert item == stalled
    assert [(g.step_key, g.unit) for g in gaps] == [("police", world.east_1)]


def test_check_workflows_names_the_service_step_and_unit_and_fails(stalled):
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check-workflows", stdout=out)
    assert exit_.value.code == 1
    assert "card-reissue 身份证补办：审批步骤“派出所办理”（police）：东门派出所没有在岗的窗口受理员" in out.getvalue()


def test_check_workflows_is_quiet_when_every_step_has_a_holder(draft):
    publish(actor=None, item=draft)
    out = StringIO()
    call_command("check-workflows", stdout=out)
    assert "每一步都有办理人" in out.getvalue()


def test_the_back_office_lists_them_to_the_services_admin(stalled, service_admin, login):
    client = login(service_admin)
    assert "无人办理的审批步骤" in client.get("/admin/catalog/serviceitem/").content.decode()
    page = client.get("/admin/catalog/serviceitem/holder-gaps/").content.decode()
    assert "身份证补办" in page and "派出所办理" in page and "东门派出所" in page and "窗口受理员" in page


def test_the_gap_report_is_not_for_others(stalled, world, login):
    world.clerk.is_staff = True
    world.clerk.save(update_fields=["is_staff"])
    assert login(world.clerk).get("/admin/catalog/serviceitem/holder-gaps/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_publishing_at_once_make_two_versions_in_turn(draft, service_admin):
    from tongban.conftest import at_once, failures

    outcomes = at_once(2, lambda n: publish(actor=service_admin, item=draft).number)
    assert failures(outcomes) == [] and sorted(outcomes) == [1, 2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_forged_post_and_the_owner_at_once_change_only_what_the_owner_may(draft, service_admin, world):
    """The university's admin renames their service while a station admin's forged act
    tries the same row: the forged one is refused whatever the order."""
    from tongban.catalog.services import save_item
    from tongban.conftest import at_once, failures
    from tongban.lib.errors import NotAllowed

    station_admin = create_user(actor=None, username="station_admin", password="x-long-password",
                                display_name="所事项管理员")
    grant_role(actor=None, user=station_admin, role=Role.SERVICE_ADMIN, org_unit=world.east_1)

    def act(n):
        item = ServiceItem.objects.get(pk=draft.pk)
        item.name = ["身份证补领", "被改掉的名字"][n]
        return save_item(actor=[service_admin, station_admin][n], item=item, changed=["name"]).name

    outcomes = at_once(2, act)
    assert outcomes[0] == "身份证补领" and isinstance(outcomes[1], NotAllowed)
    assert len(failures(outcomes)) == 1
    assert ServiceItem.objects.get(pk=draft.pk).name == "身份证补领"


def test_a_service_accepted_first_needs_someone_who_may_accept_for_its_unit(draft, world):
    draft.needs_acceptance = True
    draft.org_unit = world.west  # 西城分局: no clerk or officer in it or above it
    draft.save()
    Step.objects.filter(item=draft, key="check").update(unit_rule=UnitRule.FIXED, unit=world.security)
    assert "受理：西城分局没有可受理的人员（窗口受理员或户籍民警），办件提交后将无人受理" in _refusal(draft).message
    # 东门派出所 has its clerk
    draft.org_unit = world.east_1
    draft.save()
    assert publish(actor=None, item=draft).number == 1
