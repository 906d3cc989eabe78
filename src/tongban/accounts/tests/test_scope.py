"""Every list is filtered by the caller's reach; writes are authorised in services."""

import pytest

from tongban.accounts import roles
from tongban.accounts.access import authorize, can, scope
from tongban.accounts.roles import Action, Role
from tongban.accounts.services import create_org_unit, grant_role
from tongban.lib.errors import NotAllowed
from tongban.people.models import Person


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_a_college_admin_sees_their_college_only(world):
    world.person(name="经院甲", unit=world.econ)
    world.person(name="法院乙", unit=world.law)
    visible = scope(Person.objects.all(), world.college_admin, Action.PEOPLE_VIEW, owner_field="account")
    assert names(visible) == ["李同学", "经院甲"]


def test_an_officer_on_the_university_sees_every_college(world):
    world.person(name="经院甲", unit=world.econ)
    world.person(name="法院乙", unit=world.law)
    world.person(name="居民丙", unit=world.east_1)
    visible = scope(Person.objects.all(), world.officer, Action.PEOPLE_VIEW, owner_field="account")
    assert names(visible) == ["李同学", "法院乙", "经院甲"]


def test_a_branch_approver_reaches_the_stations_below_it_and_not_the_other_branch(world):
    west_1 = create_org_unit(actor=None, code="west-1", name="西湖派出所", kind="station", parent=world.west)
    world.person(name="东门居民", unit=world.east_1)
    world.person(name="西湖居民", unit=west_1)
    visible = scope(Person.objects.all(), world.approver, Action.PEOPLE_VIEW, owner_field="account")
    assert names(visible) == ["东门居民"]


def test_an_applicant_sees_only_their_own_record(world):
    world.person(name="同院他人", unit=world.econ)
    visible = scope(Person.objects.all(), world.applicant, Action.PEOPLE_VIEW, owner_field="account")
    assert names(visible) == ["李同学"]


def test_someone_without_a_role_sees_nothing(world):
    assert scope(Person.objects.all(), world.outsider, Action.PEOPLE_VIEW, owner_field="account").count() == 0


def test_an_auditor_reaches_everything(world):
    world.person(name="居民丙", unit=world.east_1)
    assert scope(Person.objects.all(), world.auditor, Action.PEOPLE_VIEW).count() == 2


def test_a_reach_the_model_cannot_express_grants_nothing(world):
    # The applicant's reach is OWN; without an owner field the filter fails closed.
    assert scope(Person.objects.all(), world.applicant, Action.PEOPLE_VIEW).count() == 0


def test_reaches_from_several_memberships_add_up(world):
    grant_role(actor=None, user=world.college_admin, role=Role.COLLEGE_ADMIN, org_unit=world.law)
    world.college_admin.__dict__.pop("_tongban_memberships", None)
    world.person(name="法院乙", unit=world.law)
    visible = scope(Person.objects.all(), world.college_admin, Action.PEOPLE_VIEW, owner_field="account")
    assert names(visible) == ["李同学", "法院乙"]


def test_authorize_checks_the_unit_against_the_reach(world):
    assert authorize(world.officer, Action.CASE_APPROVE, unit=world.econ).role == Role.OFFICER
    with pytest.raises(NotAllowed) as refused:
        authorize(world.college_admin, Action.CASE_APPROVE, unit=world.law)
    assert refused.value.code == "permission_denied"
    assert can(world.college_admin, Action.CASE_APPROVE, unit=world.econ)


def test_an_auxiliary_may_prepare_but_never_approve_sign_or_register(world):
    assert can(world.auxiliary, Action.CASE_PREPARE, unit=world.east_1)
    for action in (Action.CASE_APPROVE, Action.CASE_SIGN, Action.HUKOU_REGISTER):
        assert not can(world.auxiliary, action, unit=world.east_1)


def test_an_auxiliary_is_refused_even_if_the_matrix_is_misconfigured(world, monkeypatch):
    widened = dict(roles.PERMISSIONS[Role.AUXILIARY]) | {Action.CASE_APPROVE: roles.Reach.ALL,
                                                        Action.CASE_SIGN: roles.Reach.ALL}
    monkeypatch.setitem(roles.PERMISSIONS, Role.AUXILIARY, widened)
    with pytest.raises(NotAllowed):
        authorize(world.auxiliary, Action.CASE_APPROVE, unit=world.east_1)
    with pytest.raises(NotAllowed):
        authorize(world.auxiliary, Action.CASE_SIGN, unit=world.east_1)


def test_granting_a_role_outside_ones_reach_is_refused(world):
    station_admin = world.clerk  # a clerk may not grant roles at all
    with pytest.raises(NotAllowed):
        grant_role(actor=station_admin, user=world.outsider, role=Role.CLERK, org_unit=world.east_1)
    assert not world.outsider.memberships.exists()
