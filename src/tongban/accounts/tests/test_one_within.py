"""The one ownership guard: a row outside the caller's reach is a 404 that the trail
remembers; an id that names nothing, or is not an id, is a plain 404."""

import pytest
from django.http import Http404

from tongban.accounts.access import one_within
from tongban.accounts.models import OrgUnit
from tongban.audit.models import AuditEntry
from tongban.audit.refusals import ACTION


def _refusals():
    return AuditEntry.objects.filter(action=ACTION, object_type="accounts.orgunit").count()


def test_a_row_within_reach_is_returned(world):
    assert one_within(OrgUnit.objects.filter(pk=world.econ.pk), user=world.applicant, pk=world.econ.pk) == world.econ


def test_a_row_outside_the_reach_is_a_404_on_the_trail(world):
    before = _refusals()
    with pytest.raises(Http404):
        one_within(OrgUnit.objects.filter(pk=world.econ.pk), user=world.applicant, pk=world.law.pk)
    assert _refusals() == before + 1


@pytest.mark.parametrize("pk", [987654321, "not-an-id", None])
def test_an_id_that_names_nothing_is_a_plain_404(world, pk):
    before = _refusals()
    with pytest.raises(Http404):
        one_within(OrgUnit.objects.all(), user=world.applicant, pk=pk)
    assert _refusals() == before
