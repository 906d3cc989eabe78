"""Delegating one's work (委托代办) without loopholes: a delegate holds the delegated
step's role in the same unit, at creation and at every use; nobody decides a case
they submitted or are the subject of, directly or through a delegation; a delegation
ends (its date, or revoked at once) and then gives no work, routed or not; and every
decision made through one names both people on the trail."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.audit.models import AuditEntry
from tongban.cases import services, workflow
from tongban.cases.models import Case, Delegation, WorkItem
from tongban.hukou.tests import conftest as hukou
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict

pytestmark = pytest.mark.django_db

# the security office's household services and applying for them, as hukou's tests have them
household, apply, CERTIFICATE = hukou.household, hukou.apply, hukou.CERTIFICATE


def _today():
    return timezone.localdate()


def _open(case) -> WorkItem:
    return WorkItem.objects.get(case=case, state=WorkItem.State.OPEN)


@pytest.fixture
def deputy(world, household):
    """A second household officer of 保卫处: a delegate the rule accepts."""
    user = create_user(actor=None, username="deputy", password="x-long-password", display_name="副户籍管理员")
    grant_role(actor=None, user=user, role=Role.OFFICER, org_unit=world.security)
    return user


@pytest.fixture
def move_in(world, household, apply):
    return apply(household.move_in, name="李同学", **CERTIFICATE)


def test_an_auditor_only_account_is_refused_as_a_delegate(world, household):
    with pytest.raises(ApplicationError) as refused:
        services.delegate_work(actor=world.officer, to=world.auditor, start=_today(), end=_today())
    assert (refused.value.code, refused.value.field) == ("not_same_role", "to")
    assert not Delegation.objects.exists()


def test_an_auditor_handed_work_past_the_service_cannot_approve_a_move_in(world, move_in):
    Delegation.objects.create(delegator=world.officer, delegate=world.auditor, start=_today(), end=_today())
    item = _open(move_in)
    assert not workflow.workable_by(world.auditor).filter(pk=item.pk).exists()
    assert world.auditor not in workflow.holders(item)
    with pytest.raises(NotAllowed) as refused:
        services.decide(actor=world.auditor, item=item, outcome="approve")
    assert refused.value.code == "not_your_work"
    assert (Case.objects.get(pk=move_in.pk).status, _open(move_in).pk) == ("in_approval", item.pk)


@pytest.fixture
def claimed(world, move_in):
    """The move-in's step, claimed by the officer (who then goes on leave)."""
    return services.claim(actor=world.officer, item=_open(move_in))


def _delegate(world, to, *, days=3):
    return services.delegate_work(actor=world.officer, to=to, start=_today(), end=_today() + dt.timedelta(days=days))


def test_a_delegate_decides_the_claimed_work_and_the_trail_names_both(world, deputy, move_in, claimed):
    assert not workflow.workable_by(deputy).filter(pk=claimed.pk).exists()  # claimed by the officer
    delegation = _delegate(world, deputy)
    assert workflow.workable_by(deputy).filter(pk=claimed.pk).exists()
    case = services.decide(actor=deputy, item=claimed, outcome="approve")
    assert case.status == "completed"
    entry = AuditEntry.objects.get(action="case.approve", object_id=str(move_in.pk))
    assert (entry.actor_id, entry.details["on_behalf_of"], entry.details["delegation"]) == (
        deputy.pk, world.officer.pk, delegation.pk)
    assert case.events.get(action="approve").actor_name == "副户籍管理员（受officer委托）"


def test_a_decision_in_ones_own_right_names_nobody_else(world, deputy, move_in):
    _delegate(world, deputy)
    services.decide(actor=deputy, item=_open(move_in), outcome="approve")
    entry = AuditEntry.objects.get(action="case.approve", object_id=str(move_in.pk))
    assert entry.actor_id == deputy.pk and "on_behalf_of" not in entry.details


def test_self_delegation_is_refused_by_the_service_and_by_a_forged_post(world, household, login):
    with pytest.raises(ApplicationError) as refused:
        services.delegate_work(actor=world.officer, to=world.officer, start=_today(), end=_today())
    assert (refused.value.code, refused.value.field) == ("self", "to")
    answer = login(world.officer).post("/workbench/delegate/", {
        "to": world.officer.pk, "start": _today().isoformat(), "end": _today().isoformat()})
    assert answer.status_code == 200 and answer.context["form"].errors == {"to": ["请选择本单位相同角色的同事"]}
    assert not Delegation.objects.exists()


def test_the_delegation_page_offers_only_colleagues_in_the_same_role_and_unit(world, deputy, login):
    page = login(world.officer).get("/workbench/delegate/").content.decode()
    assert f'<option value="{deputy.pk}">' in page
    assert f'<option value="{world.auditor.pk}">' not in page  # same office, no officer role
    assert f'<option value="{world.sysadmin.pk}">' not in page


@pytest.mark.parametrize(("start", "end", "code", "field"), [
    (-1, 2, "start_past", "start"),
    (0, -1, "bad_range", "end"),
    (0, 90, "too_long", "end"),
])
def test_a_delegation_must_start_today_or_later_and_end_within_bounds(world, deputy, start, end, code, field):
    with pytest.raises(ApplicationError) as refused:
        services.delegate_work(actor=world.officer, to=deputy, start=_today() + dt.timedelta(days=start),
                               end=_today() + dt.timedelta(days=end))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Delegation.objects.exists()
    services.delegate_work(actor=world.officer, to=deputy, start=_today(), end=_today() + dt.timedelta(days=89))


def test_the_page_needs_an_end_date(world, deputy, login):
    answer = login(world.officer).post("/workbench/delegate/", {"to": deputy.pk, "start": _today().isoformat()})
    assert answer.context["form"].errors == {"end": ["请填写结束日期"]}
    assert not Delegation.objects.exists()


def test_a_delegate_who_loses_the_role_later_gets_no_work_from_the_delegation(world, deputy, claimed):
    from tongban.accounts.models import Membership
    from tongban.accounts.services import revoke_role

    _delegate(world, deputy)
    revoke_role(actor=None, membership=Membership.objects.get(user=deputy, role=Role.OFFICER))
    assert not workflow.workable_by(deputy).filter(pk=claimed.pk).exists()
    assert deputy not in workflow.holders(claimed)
    with pytest.raises(NotAllowed) as refused:
        services.decide(actor=deputy, item=claimed, outcome="approve")
    assert refused.value.code == "not_your_work"


def test_a_revoked_delegation_gives_no_work_from_that_moment_routed_work_included(world, deputy, move_in, claimed,
                                                                                  login):
    from tongban.notify.models import Message

    delegation = _delegate(world, deputy)
    client = login(deputy)
    assert move_in.serial in client.get("/workbench/todo/").content.decode()
    answer = login(world.officer).post(f"/workbench/delegations/{delegation.pk}/revoke/")
    assert answer.status_code == 302
    assert Delegation.objects.get(pk=delegation.pk).revoked_by == world.officer
    assert AuditEntry.objects.filter(action="case.delegation_revoke", actor_id=world.officer.pk).count() == 1
    assert not workflow.workable_by(deputy).filter(pk=claimed.pk).exists()
    assert deputy not in workflow.holders(claimed)
    client = login(deputy)
    assert move_in.serial not in client.get("/workbench/todo/").content.decode()
    assert 'name="outcome"' not in client.get(f"/workbench/cases/{move_in.pk}/").content.decode()
    client.post(f"/workbench/work/{claimed.pk}/", {"outcome": "approve"})  # a forged POST
    assert _open(move_in).pk == claimed.pk
    # the delegate was told of both, by links that open for them
    told = Message.objects.filter(recipient=deputy, channel="inbox", event__startswith="case.delegat").order_by("id")
    assert [m.event for m in told] == ["case.delegated", "case.delegation_revoked"]
    assert {client.get(m.link).status_code for m in told} == {200}
    # revoked again (a replay) is refused
    with pytest.raises(StateConflict) as again:
        services.revoke_delegation(actor=world.officer, delegation=delegation)
    assert again.value.code == "revoked"


def test_an_expired_delegation_gives_no_work(world, deputy, claimed):
    yesterday = _today() - dt.timedelta(days=1)
    Delegation.objects.create(delegator=world.officer, delegate=deputy, start=yesterday - dt.timedelta(days=3),
                              end=yesterday)
    assert not workflow.workable_by(deputy).filter(pk=claimed.pk).exists()
    with pytest.raises(NotAllowed):
        services.decide(actor=deputy, item=claimed, outcome="approve")


def test_only_the_delegator_or_an_admin_of_their_unit_revokes(world, deputy, login):
    delegation = _delegate(world, deputy)
    # the delegate and an outsider cannot find it to revoke; a college admin has no admin page
    assert login(world.outsider).post(f"/workbench/delegations/{delegation.pk}/revoke/").status_code in (403, 404)
    assert login(world.college_admin).post(f"/workbench/delegations/{delegation.pk}/revoke/").status_code == 404
    assert login(world.college_admin).get("/workbench/delegations/").status_code == 404
    with pytest.raises(NotAllowed):
        services.revoke_delegation(actor=deputy, delegation=delegation)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None
    # the system admin lists and revokes it
    client = login(world.sysadmin)
    listed = client.get("/workbench/delegations/").content.decode()
    assert "副户籍管理员" in listed and f"/workbench/delegations/{delegation.pk}/revoke/" in listed
    assert client.post(f"/workbench/delegations/{delegation.pk}/revoke/").status_code == 302
    assert Delegation.objects.get(pk=delegation.pk).revoked_by == world.sysadmin
    assert "已撤销" in client.get("/workbench/delegations/").content.decode()


@pytest.fixture
def deputy_is_the_subject(world, deputy, move_in):
    """The move-in is about the deputy's own person record (applied for on their behalf)."""
    from tongban.people.services import link_account

    person = link_account(actor=None, person=world.person(name="副户籍管理员"), user=deputy)
    Case.objects.filter(pk=move_in.pk).update(subject_person=person)
    return person


def test_the_subject_of_a_case_does_not_decide_it_directly(world, deputy, move_in, deputy_is_the_subject):
    with pytest.raises(NotAllowed) as refused:
        services.decide(actor=deputy, item=_open(move_in), outcome="approve")
    assert refused.value.code == "own_case"
    with pytest.raises(NotAllowed):
        services.claim(actor=deputy, item=_open(move_in))


def test_the_subject_of_a_case_does_not_decide_it_through_a_delegation(world, deputy, move_in, claimed,
                                                                       deputy_is_the_subject, login):
    _delegate(world, deputy)
    with pytest.raises(NotAllowed) as refused:
        services.decide(actor=deputy, item=claimed, outcome="approve")
    assert refused.value.code == "own_case"
    client = login(deputy)
    assert 'name="outcome"' not in client.get(f"/workbench/cases/{move_in.pk}/").content.decode()
    client.post(f"/workbench/work/{claimed.pk}/", {"outcome": "approve"})
    assert Case.objects.get(pk=move_in.pk).status == "in_approval"


def test_an_applicant_who_is_staff_does_not_decide_their_own_case_through_a_delegation(world, deputy, household,
                                                                                        apply):
    from tongban.people.services import link_account

    link_account(actor=None, person=world.person(name="副户籍管理员"), user=deputy)
    grant_role(actor=None, user=deputy, role=Role.APPLICANT, org_unit=world.econ)
    case = apply(household.move_in, user=deputy, name="副户籍管理员", **CERTIFICATE)
    item = services.claim(actor=world.officer, item=_open(case))
    _delegate(world, deputy)
    with pytest.raises(NotAllowed) as refused:
        services.decide(actor=deputy, item=item, outcome="approve")
    assert refused.value.code == "own_case"


# --- concurrency (PostgreSQL) ---------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_revoking_while_the_delegate_decides_never_leaves_a_decision_after_the_revocation(world, deputy, claimed):
    from tongban.conftest import at_once, failures

    delegation = _delegate(world, deputy)

    def work(n):
        if n == 0:
            return services.decide(actor=deputy, item=claimed, outcome="approve")
        return services.revoke_delegation(actor=world.officer, delegation=delegation)

    outcomes = at_once(2, work)
    assert not isinstance(outcomes[1], BaseException)  # the revocation always goes through
    decided = WorkItem.objects.get(pk=claimed.pk).state == "done"
    trail = list(AuditEntry.objects.filter(action__in=["case.approve", "case.delegation_revoke"])
                 .order_by("seq").values_list("action", flat=True))
    if decided:
        # made before the revocation took hold: on the trail before it
        assert trail == ["case.approve", "case.delegation_revoke"]
    else:
        assert [type(e) for e in failures(outcomes)] == [NotAllowed]
        assert trail == ["case.delegation_revoke"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_decisions_on_one_step_at_once_make_one(world, deputy, claimed):
    from tongban.conftest import at_once, failures

    _delegate(world, deputy)
    outcomes = at_once(2, lambda n: services.decide(actor=[world.officer, deputy][n], item=claimed,
                                                    outcome=["approve", "reject"][n], comment="不符合条件"))
    assert [e.code for e in failures(outcomes)] == ["not_open"]
    assert AuditEntry.objects.filter(action__in=["case.approve", "case.reject"]).count() == 1
    assert Case.objects.get(pk=claimed.case_id).status in ("completed", "rejected")


def test_the_subject_of_a_waiting_case_is_not_offered_its_acceptance_nor_takes_it(world, residence_service, login):
    """The acceptance form is shown by the acts' own rule (services.acceptance_refusal)."""
    from tongban.cases.tests.conftest import pdf
    from tongban.cases.uploads import attach
    from tongban.people.services import link_account

    case = services.start_application(actor=world.applicant, item=residence_service)
    services.save_draft(actor=world.applicant, case=case, answers={"address": "东门大街 1 号"})
    attach(actor=world.applicant, case=case, material_key="form", upload=pdf())
    case = services.submit(actor=world.applicant, case=case)
    client = login(world.clerk)
    assert f"/workbench/cases/{case.pk}/accept/" in client.get(f"/workbench/cases/{case.pk}/").content.decode()
    Case.objects.filter(pk=case.pk).update(
        subject_person=link_account(actor=None, person=world.person(name="窗口受理员"), user=world.clerk))
    assert f"/workbench/cases/{case.pk}/accept/" not in client.get(f"/workbench/cases/{case.pk}/").content.decode()
    client.post(f"/workbench/cases/{case.pk}/accept/", {"decision": "accept", "deficient": ["photo", "lease"]})
    assert Case.objects.get(pk=case.pk).status == "submitted"
    with pytest.raises(NotAllowed) as refused:
        services.refuse(actor=world.clerk, case=case, reason="不符合条件")
    assert refused.value.code == "own_case"
