from io import StringIO

from django.core.management import call_command

from tongban.campaigns.models import Assignment, Campaign


def test_the_demo_has_a_holiday_whereabouts_campaign_sent_to_econ_with_answers_coming_in(db):
    call_command("seed-demo", stdout=StringIO(), people=40)
    campaign = Campaign.objects.get()
    assert campaign.item.code == "holiday-whereabouts" and campaign.state == Campaign.State.DONE
    units = set(campaign.assignments.values_list("org_unit__code", flat=True))
    assert units == {"univ-econ"}
    assert campaign.assignments.filter(state=Assignment.State.FILLED).count() == 2
    assert campaign.assignments.filter(person__account__username="student4").exists()
    call_command("seed-demo", stdout=StringIO(), people=40)
    assert Campaign.objects.count() == 1
