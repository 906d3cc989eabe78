from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.campaigns import services
from tongban.campaigns.models import Answer, Assignment, Campaign
from tongban.campaigns.tests.conftest import answers, assignment_of, sent
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict


@pytest.fixture
def campaign(hall):
    return sent(hall, needs_approval=True)


def user_of(person):
    return person.account


def test_a_recipient_fills_and_corrects_until_the_close_with_one_answer(hall, campaign):
    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    services.fill(actor=user_of(a), assignment_id=todo.pk, answers=answers())
    services.fill(actor=user_of(a), assignment_id=todo.pk, answers=answers(going="留校"))  # i18n: data
    answer = Answer.objects.get(assignment=todo)
    assert answer.answers["going"] == "留校"  # i18n: data
    assert answer.revisions == 2
    assert answer.answers["phone"] == "138****8000"  # the phone kept masked, the number encrypted aside
    todo.refresh_from_db()
    assert todo.state == Assignment.State.FILLED
    trail = AuditEntry.objects.filter(object_id=str(todo.pk), action__startswith="campaigns.").order_by("pk")
    assert list(trail.values_list("action", flat=True)) == ["campaigns.fill", "campaigns.correct"]


def test_the_name_comes_from_the_person_record_whatever_is_posted(hall, campaign):
    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    answer = services.fill(actor=user_of(a), assignment_id=todo.pk, answers=answers(name="别人"))  # i18n: data
    assert answer.answers["name"] == a.name


def test_someone_outside_the_audience_cannot_fill(hall, campaign, world):
    todo = assignment_of(campaign, hall.students["a"])
    for intruder in (user_of(hall.students["b"]), world.outsider, world.college_admin):
        with pytest.raises(Http404):
            services.fill(actor=intruder, assignment_id=todo.pk, answers=answers())
    assert not Answer.objects.exists()


def test_filling_after_the_close_is_refused(hall, campaign):
    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    services.fill(actor=user_of(a), assignment_id=todo.pk, answers=answers())
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - timedelta(seconds=1),
                                                   opens_at=timezone.now() - timedelta(days=1))
    with pytest.raises(StateConflict) as refused:
        services.fill(actor=user_of(a), assignment_id=todo.pk, answers=answers(going="留校"))  # i18n: data
    assert refused.value.code == "closed"
    assert Answer.objects.get(assignment=todo).answers["going"] == "回家"  # i18n: data


def test_filling_before_the_opening_is_refused(hall):
    later = sent(hall, opens_at=timezone.now() + timedelta(hours=1))
    todo = assignment_of(later, hall.students["a"])
    with pytest.raises(StateConflict) as refused:
        services.fill(actor=user_of(hall.students["a"]), assignment_id=todo.pk, answers=answers())
    assert refused.value.code == "not_open"


def test_a_required_answer_missing_is_refused_naming_the_field(hall, campaign):
    a = hall.students["a"]
    with pytest.raises(ApplicationError) as refused:
        services.fill(actor=user_of(a), assignment_id=assignment_of(campaign, a).pk,
                      answers={"going": "回家"})  # i18n: data
    assert refused.value.field == "phone"
    assert not Answer.objects.exists()


def test_the_counsellor_approves_their_own_students_answers_only(hall, campaign):
    a, d = hall.students["a"], hall.students["d"]
    for person in (a, d):
        services.fill(actor=user_of(person), assignment_id=assignment_of(campaign, person).pk, answers=answers())
    approved = services.approve(actor=hall.counsellor, assignment=assignment_of(campaign, a))
    assert approved.state == Assignment.State.APPROVED
    with pytest.raises(NotAllowed):
        services.approve(actor=hall.counsellor, assignment=assignment_of(campaign, d))
    with pytest.raises(StateConflict) as refused:
        services.fill(actor=user_of(a), assignment_id=approved.pk, answers=answers())
    assert refused.value.code == "approved"


def test_an_answer_not_filled_cannot_be_approved(hall, campaign):
    with pytest.raises(StateConflict):
        services.approve(actor=hall.counsellor, assignment=assignment_of(campaign, hall.students["b"]))


def test_the_one_to_do_list_holds_the_form_to_fill_then_the_answer_to_approve(hall, campaign):
    from tongban.notify.todos import for_user

    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    assert [t.url for t in for_user(a.account, only={"campaigns"})] == [f"/campaigns/{todo.pk}/"]
    services.fill(actor=user_of(a), assignment_id=todo.pk, answers=answers())
    assert for_user(a.account, only={"campaigns"}) == []
    [review] = for_user(hall.counsellor, only={"campaigns"})
    assert review.url == f"/workbench/campaigns/{campaign.pk}/people/?which=awaiting_approval"
    assert "1" in review.title
