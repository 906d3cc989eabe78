from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count

from tongban.audit.models import AuditEntry
from tongban.campaigns import services
from tongban.campaigns.models import Assignment, Campaign
from tongban.campaigns.tests.conftest import committed, make, sent
from tongban.lib.crypto import blind_index, encrypt
from tongban.lib.errors import ApplicationError
from tongban.notify.models import Message
from tongban.people.models import Person


def test_each_recipient_gets_a_to_do_and_a_message(hall, world):
    campaign = sent(hall)
    people = {world.applicant_person.pk, *[p.pk for p in hall.students.values()]}
    assert campaign.state == Campaign.State.DONE
    assert (campaign.total, campaign.dispatched) == (5, 5)
    assert set(campaign.assignments.values_list("person_id", flat=True)) == people
    inbox = Message.objects.filter(event="campaigns.invite", channel="inbox")
    assert set(inbox.values_list("recipient__person__pk", flat=True)) == people
    assert inbox.first().link == "/campaigns/"


def test_a_counsellors_campaign_reaches_only_their_own_class(hall):
    campaign = sent(hall, actor=hall.counsellor)
    assert set(campaign.assignments.values_list("person_id", flat=True)) == {
        hall.students["a"].pk, hall.students["b"].pk}


def test_an_audience_that_matches_nobody_is_said_before_sending(hall):
    campaign = make(hall, rule={"years": [1999]})
    assert services.start_refusal(campaign).code == "empty_audience"
    with pytest.raises(ApplicationError) as refused:
        services.start_dispatch(actor=hall.dept, campaign=campaign)
    assert refused.value.code == "empty_audience"
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT
    assert not Message.objects.exists()


def test_started_twice_it_sends_once(hall):
    campaign = sent(hall)
    with committed():
        again = services.start_dispatch(actor=hall.dept, campaign=campaign)
    assert again.state == Campaign.State.DONE
    assert Assignment.objects.filter(campaign=campaign).count() == 5
    assert Message.objects.filter(event="campaigns.invite", channel="inbox").count() == 5
    assert AuditEntry.objects.filter(action="campaigns.start").count() == 1


def test_a_dispatch_run_again_resumes_without_sending_twice(hall):
    campaign = sent(hall)
    # a crash after the first chunk: one to-do lost with its message, the job back to running
    lost = campaign.assignments.order_by("person_id").last()
    Message.objects.filter(key__contains=f"invite:{lost.person_id}").delete()
    lost.delete()
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.RUNNING)
    call_command("campaign_dispatch", str(campaign.pk))
    assert campaign.assignments.count() == 5
    per_person = Message.objects.filter(event="campaigns.invite", channel="inbox").values("recipient").annotate(
        n=Count("pk"))
    assert sorted(row["n"] for row in per_person) == [1] * 5


def test_dispatch_in_chunks_keeps_the_progress(hall):
    campaign = make(hall)
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.PENDING)
    done = services.run_dispatch_job(campaign_id=campaign.pk, chunk=2)
    assert (done.state, done.dispatched, done.total) == (Campaign.State.DONE, 5, 5)


def test_a_sent_campaign_is_not_sent_again_after_its_close(hall):
    campaign = make(hall)
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=campaign.opens_at + timedelta(seconds=1))
    campaign.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.start_dispatch(actor=hall.dept, campaign=campaign)
    assert refused.value.code == "close_in_past"


def test_the_invitation_goes_on_the_channels_each_recipient_chose(hall):
    from tongban.notify.services import set_preference

    a, b = hall.students["a"], hall.students["b"]
    for person, phone in ((a, "13800138001"), (b, "13800138002")):
        Person.objects.filter(pk=person.pk).update(phone_enc=encrypt(phone), phone_index=blind_index(phone,
                                                                                                     purpose="phone"))
    set_preference(actor=a.account, kind="campaign", channels=["inbox"])
    sent(hall, actor=hall.counsellor)
    channels = {(m.recipient_id, m.channel) for m in Message.objects.filter(event="campaigns.invite")}
    assert channels == {(a.account_id, "inbox"), (b.account_id, "inbox"), (b.account_id, "sms")}


def test_someone_with_no_account_yet_is_texted_and_finds_the_to_do_once_bound(hall, world):
    phone = "13900139000"
    fresh = world.person(unit=hall.econ_23, name="新生", phone=phone)  # i18n: data
    campaign = sent(hall, actor=hall.counsellor)
    assert campaign.assignments.filter(person=fresh).exists()
    assert list(Message.objects.filter(person=fresh).values_list("channel", flat=True)) == ["sms"]
