"""An entry is written inside the service's transaction: it commits with the change or
not at all. Real transactions (transaction=True), so a commit is a commit."""

import pytest
from django.db import transaction

from tongban.accounts.models import OrgUnit
from tongban.accounts.services import create_org_unit
from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError

pytestmark = pytest.mark.django_db(transaction=True)


class CallerGaveUp(Exception):
    pass


def _university(code: str = "univ") -> OrgUnit:
    return create_org_unit(actor=None, code=code, name="示例大学", kind=OrgUnit.Kind.UNIVERSITY)


def test_a_change_that_commits_has_its_entry():
    unit = _university()

    entry = AuditEntry.objects.get()
    assert (entry.seq, entry.action, entry.object_type, entry.object_id, entry.summary) == (
        1, "org.create", "accounts.orgunit", str(unit.pk), "新建单位 示例大学")
    assert (entry.actor_id, entry.actor_name) == (None, "系统")
    assert entry.details == {"code": "univ", "kind": "university", "parent": None}


def test_a_change_that_rolls_back_leaves_no_entry():
    with pytest.raises(CallerGaveUp), transaction.atomic():
        _university()
        raise CallerGaveUp

    assert not OrgUnit.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_rolled_back_entry_leaves_no_gap_in_the_chain():
    _university("first")
    with pytest.raises(CallerGaveUp), transaction.atomic():
        _university("rolled-back")
        raise CallerGaveUp
    _university("second")

    assert list(AuditEntry.objects.order_by("seq").values_list("seq", "details__code")) == [
        (1, "first"), (2, "second")]
    assert verify(AuditEntry.objects.all()).ok


def test_a_refused_change_leaves_no_entry():
    _university()
    with pytest.raises(ApplicationError) as refused:
        _university()

    assert refused.value.code == "org_unit_code_taken"

    assert AuditEntry.objects.count() == 1


def test_entries_held_to_the_end_of_an_act_are_appended_in_order_in_its_role_and_chain_intact():
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user
    from tongban.audit.services import appended_last, record

    actor = create_user(actor=None, username="held", password=None, display_name="申请人")
    before = AuditEntry.objects.count()
    with appended_last(role=Role.APPLICANT):
        first = record(actor=actor, action="demo.first", summary="一")
        with appended_last():  # an inner block joins the act's
            record(actor=None, action="demo.system", summary="二")
        record(actor=actor, action="demo.named", summary="三", role=Role.CLERK)
        assert AuditEntry.objects.count() == before  # nothing appended yet
        with pytest.raises(LookupError):
            str(first.action)
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", "role"))
    assert entries == [("demo.first", "applicant"), ("demo.system", ""), ("demo.named", "clerk")]
    assert first.action == "demo.first"  # read back once appended
    assert verify(AuditEntry.objects.all()).ok


def test_an_act_that_fails_appends_nothing_it_held():
    from tongban.audit.services import appended_last, record

    with transaction.atomic():
        _university("kept")
        try:
            with appended_last():
                _university("lost")
                record(actor=None, action="demo.lost", summary="失败的")
                raise CallerGaveUp
        except CallerGaveUp:
            pass  # the caller goes on: the act's writes are gone, its entries with them
    assert list(OrgUnit.objects.values_list("code", flat=True)) == ["kept"]
    assert not AuditEntry.objects.filter(action="demo.lost").exists()
    assert verify(AuditEntry.objects.all()).ok


def test_an_entry_made_in_a_savepoint_that_rolls_back_is_not_appended_at_the_acts_end():
    """A savepoint inside the act may roll back on its own (a lost race, a refused row
    the act goes on without): its entry goes with it, the act's others stay."""
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user
    from tongban.audit.services import appended_last, record

    clerk = create_user(actor=None, username="clerk-held", password=None, display_name="窗口")
    with appended_last(role=Role.CLERK):
        record(actor=clerk, action="demo.kept", summary="留下")
        try:
            with transaction.atomic():
                record(actor=None, action="demo.undone", summary="撤销")
                raise CallerGaveUp
        except CallerGaveUp:
            pass
        with transaction.atomic():
            record(actor=clerk, action="demo.inner", summary="保存点内")
        with transaction.atomic(savepoint=False):
            record(actor=clerk, action="demo.joined", summary="同一事务")
    actions = list(AuditEntry.objects.filter(action__startswith="demo.").order_by("seq").values_list("action", "role"))
    assert actions == [("demo.inner", "clerk"), ("demo.kept", "clerk"), ("demo.joined", "clerk")]
    assert verify(AuditEntry.objects.all()).ok


def test_an_entry_naming_the_acts_own_role_is_appended_with_the_ones_taking_it_in_one_go():
    """One append (one turn of the trail's lock) for an act's entries in one role,
    whether each names the role or takes the act's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_user
    from tongban.audit.services import appended_last, record

    actor = create_user(actor=None, username="one-go", password=None, display_name="申请人")
    with CaptureQueriesContext(connection) as queries, appended_last(role=Role.APPLICANT):
        record(actor=actor, action="demo.named", summary="一", role=Role.APPLICANT)
        record(actor=actor, action="demo.taken", summary="二")
    heads = [q for q in queries.captured_queries if "ORDER BY" in q["sql"] and "audit_auditentry" in q["sql"]]
    assert len(heads) == 1
    assert list(AuditEntry.objects.filter(action__startswith="demo.").order_by("seq")
                .values_list("action", "role")) == [("demo.named", "applicant"), ("demo.taken", "applicant")]
    assert verify(AuditEntry.objects.all()).ok
