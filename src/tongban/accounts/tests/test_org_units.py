import pytest

from tongban.accounts.models import OrgUnit
from tongban.accounts.services import create_org_unit
from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError, NotAllowed


def test_a_unit_knows_its_place_in_the_tree(world):
    station = create_org_unit(actor=world.sysadmin, code="east-9", name="新区派出所", kind="station",
                              parent=world.east)
    assert station.path == f"{world.east.path}{station.pk}/"
    assert station.depth == 2
    assert station.is_within(world.city)
    assert not station.is_within(world.west)
    entry = AuditEntry.objects.get(action="org.create", object_id=str(station.pk))
    assert entry.actor_name == "sysadmin"


def test_a_duplicate_code_is_refused_naming_the_field(world):
    with pytest.raises(ApplicationError) as refused:
        create_org_unit(actor=None, code="east-1", name="重复", kind="station", parent=world.east)
    assert (refused.value.code, refused.value.field) == ("org_unit_code_taken", "code")
    assert OrgUnit.objects.filter(code="east-1").count() == 1


def test_only_an_org_manager_creates_units(world):
    with pytest.raises(NotAllowed):
        create_org_unit(actor=world.officer, code="x", name="某单位", kind="other", parent=world.univ)
    assert not OrgUnit.objects.filter(code="x").exists()
