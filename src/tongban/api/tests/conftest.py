"""The services the cases' own tests apply for (tongban/cases/tests/conftest.py), and one
more that can be submitted in a single call: no materials, one step."""

import pytest

from tongban.accounts.roles import Role
from tongban.cases.tests.conftest import (  # noqa: F401 (fixtures)
    _media_in_tmp,
    academic,
    certificate_service,
    residence_service,
    station,
)
from tongban.catalog.models import FormField, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish


@pytest.fixture
def proof_service(world):
    """在读证明: name and phone prefilled, a purpose to choose; the college's admin
    approves it."""
    item = ServiceItem.objects.create(
        code="enrolment-proof", name="在读证明", category="学工", org_unit=world.econ, serial_prefix="ZD",
        audience=["student"], ways=["online"], needs_acceptance=False, promised_days=3, statutory_days=5)
    FormField.objects.create(item=item, order=1, key="name", label="姓名", prefill="name")
    FormField.objects.create(item=item, order=2, key="phone", label="联系电话", type="phone", required=False)
    FormField.objects.create(item=item, order=3, key="purpose", label="用途", type="choice",
                             options="签证\n实习\n其他")
    FormField.objects.create(item=item, order=4, key="abroad", label="是否出境", type="yesno", required=False)
    Step.objects.create(item=item, stage=1, key="college", name="学院盖章", role=Role.COLLEGE_ADMIN,
                        unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=2)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item
