from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.campaigns import services
from tongban.campaigns.models import Campaign
from tongban.campaigns.tests.conftest import make
from tongban.lib.errors import ApplicationError, NotAllowed


def test_a_department_admin_makes_a_campaign_of_their_unit_on_the_trail(hall):
    campaign = make(hall)
    assert campaign.state == Campaign.State.DRAFT
    assert campaign.org_unit.code == "univ"
    assert campaign.version_id == hall.item.current_version_id
    assert AuditEntry.objects.filter(action="campaigns.create", object_id=str(campaign.pk)).exists()


def test_a_close_in_the_past_is_refused(hall):
    with pytest.raises(ApplicationError) as refused:
        make(hall, opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(minutes=1))
    assert refused.value.code == "close_in_past"
    assert refused.value.field == "closes_at"
    assert not Campaign.objects.exists()


def test_a_campaign_without_any_audience_condition_is_refused(hall):
    with pytest.raises(ApplicationError) as refused:
        make(hall, rule={})
    assert refused.value.code == "no_audience"


def test_an_unpublished_service_is_refused(hall):
    hall.item.is_published = False
    hall.item.save()
    with pytest.raises(ApplicationError) as refused:
        make(hall)
    assert refused.value.code == "not_published"


def test_someone_without_the_role_cannot_make_one(hall, world):
    for who in (world.applicant, world.clerk, world.outsider):
        with pytest.raises(NotAllowed):
            make(hall, actor=who)


def test_a_clone_keeps_the_audience_rule_with_new_times(hall):
    first = make(hall, rule={"categories": ["undergraduate"], "years": [2023]}, needs_approval=True,
                 remind_every_days=2)
    now = timezone.now()
    copy = services.clone_campaign(actor=hall.dept, campaign=first, name="寒假去向",  # i18n: data
                                   opens_at=now + timedelta(days=60), closes_at=now + timedelta(days=62))
    assert copy.rule == {"categories": ["undergraduate"], "years": [2023]}
    assert (copy.needs_approval, copy.remind_every_days, copy.cloned_from_id) == (True, 2, first.pk)
    assert copy.state == Campaign.State.DRAFT
    assert set(services.recipients(copy).values_list("pk", flat=True)) == set(
        services.recipients(first).values_list("pk", flat=True))


def test_a_clone_with_a_close_in_the_past_is_refused(hall):
    first = make(hall)
    with pytest.raises(ApplicationError) as refused:
        services.clone_campaign(actor=hall.dept, campaign=first, name="x", opens_at=timezone.now() - timedelta(days=3),
                                closes_at=timezone.now() - timedelta(days=1))
    assert refused.value.code == "close_in_past"
