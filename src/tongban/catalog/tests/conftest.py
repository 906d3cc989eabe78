import pytest

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.catalog.models import FormField, Material, ServiceItem, Step, UnitRule


@pytest.fixture
def service_admin(world):
    user = create_user(actor=None, username="service_admin", password="x-long-password", display_name="事项管理员")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    grant_role(actor=None, user=user, role=Role.SERVICE_ADMIN, org_unit=world.univ)
    return user


@pytest.fixture
def draft(world):
    """A valid draft: two fields (one shown by the other), a conditional material, two
    stages, each with someone holding its role in its unit (the officer in 保卫处, the
    clerk in 东门派出所)."""
    grant_role(actor=None, user=world.officer, role=Role.OFFICER, org_unit=world.security)
    item = ServiceItem.objects.create(code="card-reissue", name="身份证补办", org_unit=world.security,
                                      serial_prefix="SF", needs_acceptance=False)
    FormField.objects.create(item=item, order=1, key="reason", label="补办原因", type="choice",
                             options="遗失\n损坏\n到期")
    FormField.objects.create(item=item, order=2, key="police_report", label="报失回执编号",
                             visible_if='reason == "遗失"')
    Material.objects.create(item=item, order=1, key="photo", name="证件照", file_types="jpg,png")
    Material.objects.create(item=item, order=2, key="old_card", name="旧身份证", core=False,
                            condition='reason == "损坏"')
    Step.objects.create(item=item, stage=1, key="check", name="保卫处审核", role=Role.OFFICER,
                        unit_rule=UnitRule.SERVICE_UNIT)
    Step.objects.create(item=item, stage=2, key="police", name="派出所办理", role=Role.CLERK,
                        unit_rule=UnitRule.FIXED, unit=world.east_1)
    return item


@pytest.fixture(autouse=True)
def _calendar_read_afresh():
    """The national calendar is kept per process; a test's entries roll back without a
    signal, so the next test reads it again."""
    from tongban.catalog import workdays

    workdays.forget_calendar()
    yield
    workdays.forget_calendar()
