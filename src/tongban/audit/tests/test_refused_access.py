"""Asking for someone else's record (a person, a household record, a waiver: a 404 from
the scope helpers) is on the trail, at most once per actor and kind of record every
few minutes, so a script walking ids cannot flood it; an id that names nothing is just
not found."""

import pytest
from django.http import Http404

from tongban.audit import refusals
from tongban.audit.models import AuditEntry
from tongban.hukou import selectors as hukou
from tongban.hukou.models import HouseholdRecord
from tongban.people import selectors as people


def _refusals():
    return list(AuditEntry.objects.filter(action="access.refused").order_by("seq")
                .values_list("actor_id", "object_type", "object_id"))


@pytest.fixture
def stranger(world):
    """A student of 法学院: outside the 经济学院 counsellor's reach."""
    return world.person(name="外院同学", unit=world.law)


def test_a_refusal_writes_one_entry_naming_the_actor_and_the_record(world, stranger):
    with pytest.raises(Http404):
        people.person_for(user=world.college_admin, pk=stranger.pk)
    assert _refusals() == [(world.college_admin.pk, "people.person", str(stranger.pk))]
    entry = AuditEntry.objects.get(action="access.refused")
    assert entry.summary == f"拒绝访问：人员 #{stranger.pk}" and entry.details["window_seconds"] == 300


def test_a_second_refusal_within_the_window_writes_none(world, stranger):
    other = world.person(name="又一个", unit=world.law)
    for pk in (stranger.pk, other.pk, stranger.pk):
        with pytest.raises(Http404):
            people.person_for(user=world.college_admin, pk=pk)
    assert len(_refusals()) == 1


def test_a_refusal_of_another_kind_writes_another(world, stranger):
    with pytest.raises(Http404):
        people.person_for(user=world.college_admin, pk=stranger.pk)
    record = HouseholdRecord.objects.get(person=stranger)
    with pytest.raises(Http404):
        hukou.record_for(user=world.college_admin, pk=record.pk)
    assert [kind for _, kind, _ in _refusals()] == ["people.person", "hukou.householdrecord"]


def test_another_actor_refused_the_same_kind_writes_their_own(world, stranger):
    for user in (world.college_admin, world.applicant):
        with pytest.raises(Http404):
            people.person_for(user=user, pk=stranger.pk)
    assert [actor for actor, _, _ in _refusals()] == [world.college_admin.pk, world.applicant.pk]


def test_after_the_window_a_refusal_is_recorded_again(world, stranger, monkeypatch):
    import time

    from django.core.cache.backends import locmem

    with pytest.raises(Http404):
        people.person_for(user=world.college_admin, pk=stranger.pk)
    later = time.time() + refusals.WINDOW_SECONDS + 1
    monkeypatch.setattr(locmem.time, "time", lambda: later)
    with pytest.raises(Http404):
        people.person_for(user=world.college_admin, pk=stranger.pk)
    assert len(_refusals()) == 2


def test_an_id_that_names_nothing_is_not_a_refusal(world):
    with pytest.raises(Http404):
        people.person_for(user=world.college_admin, pk=987654)
    assert _refusals() == []


def test_a_record_within_reach_is_no_refusal(world):
    mine = world.person(name="本院同学")
    assert people.person_for(user=world.college_admin, pk=mine.pk) == mine
    assert _refusals() == []


def test_the_staff_page_of_someone_elses_person_is_404_and_on_the_trail(world, login, stranger):
    client = login(world.college_admin)
    for _ in range(3):  # a script walking the same page: one entry
        assert client.get(f"/workbench/people/{stranger.pk}/").status_code == 404
    assert _refusals() == [(world.college_admin.pk, "people.person", str(stranger.pk))]



def test_the_siblings_refuse_on_the_trail_too_a_restriction(world, stranger):
    from tongban.restrictions import selectors as restrictions
    from tongban.restrictions.models import Kind
    from tongban.restrictions.services import impose

    restriction = impose(actor=None, person=stranger, kind=Kind.MANUAL, reason="测试")
    with pytest.raises(Http404):
        restrictions.restriction_for(user=world.college_admin, pk=restriction.pk)
    assert _refusals() == [(world.college_admin.pk, "restrictions.restriction", str(restriction.pk))]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refusals_at_once_write_one_entry(world, stranger):
    from tongban.conftest import at_once, failures

    def refuse(n):
        with pytest.raises(Http404):
            people.person_for(user=world.college_admin, pk=stranger.pk)

    assert failures(at_once(4, refuse)) == []
    assert len(_refusals()) == 1
