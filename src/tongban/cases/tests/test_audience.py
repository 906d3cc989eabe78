"""Audience and eligibility through the applicant's pages: a service opened to some
audiences (students, staff, graduates, residents, visitors, parents, alumni) is listed,
searched and applied for by them only; its guide says whom it is for and, before any
form opens, why someone may not apply (no apply button then); a submission is refused
server-side whatever was posted. Pressing 在线申请 again opens the draft begun."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user
from tongban.cases import applying, services
from tongban.cases.models import Case, Status
from tongban.cases.tests.conftest import said_at
from tongban.catalog.models import FormField, ServiceItem, Step, UnitRule
from tongban.catalog.services import publish
from tongban.conftest import at_once, failures
from tongban.hukou.models import HouseholdRecord
from tongban.hukou.models import Status as Household
from tongban.lib.errors import NotAllowed, StateConflict
from tongban.people.models import Category, Person
from tongban.people.services import link_account

pytestmark = pytest.mark.django_db


def _flash(answer) -> list[str]:
    return [str(m) for m in get_messages(answer.wsgi_request)]


@pytest.fixture
def personas(world):
    """Who is who, by audience: `student` (world.applicant, an undergraduate), `staff`,
    `resident`, `graduate` (a student whose household is stored after graduation: a
    graduate and an alumnus), `visitor` (signed in, no person record: world.outsider)."""

    def bound(username: str, category: str):
        user = create_user(actor=None, username=username, password="x-long-password", display_name=username)
        person = link_account(actor=None, person=world.person(name=username, category=category), user=user)
        return user, person

    staff, _ = bound("teacher", Category.STAFF)
    resident, _ = bound("resident", Category.RESIDENT)
    graduate, person = bound("graduate", Category.UNDERGRADUATE)
    HouseholdRecord.objects.update_or_create(person=person, defaults={"status": Household.STORED})
    return {"student": world.applicant, "staff": staff, "resident": resident, "graduate": graduate,
            "visitor": world.outsider}


@pytest.fixture
def open_to(world):
    """`open_to(code, audience)`: a published service for that audience, accepted at
    东门派出所's window (no workflow to walk: the submission is what is tested)."""

    def make(code: str, audience: list[str], effect: str = "") -> ServiceItem:
        item = ServiceItem.objects.create(
            code=code, name=f"受众测试{code}", category="测试", org_unit=world.east_1, serial_prefix="AU",
            audience=audience, ways=["online"], needs_acceptance=True, promised_days=3, statutory_days=5,
            effect=effect)
        FormField.objects.create(item=item, order=1, key="name", label="姓名", prefill="name", required=False)
        FormField.objects.create(item=item, order=2, key="purpose", label="用途", required=False)
        Step.objects.create(item=item, stage=1, key="review", name="窗口审核", role=Role.CLERK,
                            unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=2)
        publish(actor=None, item=item)
        item.refresh_from_db()
        return item

    return make


# who, the service's audience, whether they may apply
MATRIX = [
    ("student", ["student"], True), ("student", ["staff"], False),
    ("staff", ["staff"], True), ("staff", ["student"], False),
    ("resident", ["resident"], True), ("resident", ["student", "staff"], False),
    ("graduate", ["graduate"], True), ("student", ["graduate"], False),
    ("graduate", ["alumnus"], True), ("student", ["alumnus"], False),
    ("visitor", ["visitor"], True), ("visitor", ["student"], False),
    ("student", ["parent"], False),  # no verified relation says who is a parent: nobody is
    ("visitor", [], True),  # no audience: everyone
]


@pytest.mark.parametrize(("who", "audience", "allowed"), MATRIX)
def test_the_guide_the_list_the_search_and_applying_follow_the_audience(personas, open_to, login, who, audience,
                                                                         allowed):
    item = open_to("aud-x", audience)
    client = login(personas[who])
    guide = client.get("/services/aud-x/").content.decode()
    assert ('action="/services/aud-x/apply/"' in guide) is allowed
    assert ("暂不能申请" in guide) is not allowed
    if not allowed:
        assert f"该事项仅面向{'、'.join(_labels(audience))}办理" in guide
    assert ('href="/services/aud-x/"' in client.get("/services/").content.decode()) is allowed
    assert ('href="/services/aud-x/"' in client.get("/services/", {"q": "aud-x"}).content.decode()) is allowed

    answer = client.post("/services/aud-x/apply/")
    if not allowed:
        assert answer.status_code == 302 and answer["Location"] == "/services/aud-x/"
        assert any("仅面向" in m for m in _flash(answer))
        assert not Case.objects.exists()
        return
    case = Case.objects.get(item=item)
    assert answer["Location"] == f"/cases/{case.pk}/edit/"
    submitted = client.post(f"/cases/{case.pk}/edit/", {"action": "submit"})
    assert submitted.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def _labels(audience):
    from tongban.catalog.models import Audience

    return [str(choice.label) for choice in Audience if choice.value in audience]


def test_a_visitor_not_signed_in_sees_what_visitors_may_and_each_guide_says_whom_it_is_for(client, open_to):
    open_to("aud-students", ["student"])
    open_to("aud-visitors", ["visitor"])
    open_to("aud-all", [])
    listed = client.get("/services/").content.decode()
    assert 'href="/services/aud-visitors/"' in listed and 'href="/services/aud-all/"' in listed
    assert 'href="/services/aud-students/"' not in listed
    assert 'href="/services/aud-students/"' not in client.get("/services/", {"q": "students"}).content.decode()
    guide = client.get("/services/aud-students/").content.decode()
    assert "<dt>服务对象</dt><dd>学生</dd>" in guide and "登录后申请" in guide
    assert 'action="/services/aud-students/apply/"' not in guide
    assert "<dt>服务对象</dt><dd>所有人</dd>" in client.get("/services/aud-all/").content.decode()
    assert client.post("/services/aud-students/apply/")["Location"].startswith("/accounts/login/")
    assert not Case.objects.exists()


def test_a_forged_submission_by_someone_no_longer_in_the_audience_is_refused_and_stays_a_draft(
        world, open_to, login):
    open_to("aud-students", ["student"])
    client = login(world.applicant)
    client.post("/services/aud-students/apply/")
    case = Case.objects.get()
    # the office re-imports the person as staff: the draft begun as a student stays
    Person.objects.filter(pk=world.applicant_person.pk).update(category=Category.STAFF)
    answer = client.post(f"/cases/{case.pk}/edit/", {"action": "submit", "name": "李同学"})
    assert answer.status_code == 422 and "该事项仅面向学生办理，您的身份为教职工，不能申请" in answer.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DRAFT and case.serial is None
    with pytest.raises(NotAllowed) as refused:
        services.submit(actor=world.applicant, case=case)
    assert refused.value.code == "not_in_audience"
    # and the draft begun is not a way back in: 在线申请 is refused, not resumed
    assert "暂不能申请" in client.get("/services/aud-students/").content.decode()
    again = client.post("/services/aud-students/apply/")
    assert again["Location"] == "/services/aud-students/" and Case.objects.count() == 1


def test_a_restricted_applicant_is_told_why_on_the_guide_before_any_form_opens(world, open_to, login):
    from tongban.restrictions.services import impose

    open_to("aud-students", ["student"])
    impose(actor=None, person=world.applicant_person, kind="manual", reason="借用户口卡逾期未还")
    guide = login(world.applicant).get("/services/aud-students/").content.decode()
    assert "暂不能申请" in guide and "逾期未还" in guide
    assert 'action="/services/aud-students/apply/"' not in guide


def test_a_household_rule_is_explained_on_the_guide_and_on_pressing_apply_before_any_form(world, open_to, login):
    open_to("aud-store", ["student"], effect="hukou.store")  # storage: for graduates, in school
    HouseholdRecord.objects.filter(person=world.applicant_person).update(status=Household.IN_SCHOOL)
    client = login(world.applicant)  # a student in school, no graduation recorded
    guide = client.get("/services/aud-store/").content.decode()
    assert "暂不能申请" in guide and "户口暂存仅限毕业生办理" in guide
    assert 'action="/services/aud-store/apply/"' not in guide
    answer = client.post("/services/aud-store/apply/")  # forged: no button was shown
    assert answer["Location"] == "/services/aud-store/" and any("仅限毕业生" in m for m in _flash(answer))
    assert not Case.objects.exists()


# --- pressing 在线申请 again ---------------------------------------------------------------

def test_pressing_apply_again_opens_the_draft_begun_instead_of_another(world, open_to, login):
    open_to("aud-students", ["student"])
    client = login(world.applicant)
    first = client.post("/services/aud-students/apply/")
    guide = client.get("/services/aud-students/").content.decode()
    assert "继续填写草稿" in guide  # a second tab's guide
    second = client.post("/services/aud-students/apply/")
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == f"/cases/{case.pk}/edit/"
    assert any("已为您打开" in m for m in _flash(second))


def test_once_submitted_apply_begins_a_new_draft(world, open_to, login):
    open_to("aud-students", ["student"])
    client = login(world.applicant)
    client.post("/services/aud-students/apply/")
    mine = Case.objects.get()
    client.post(f"/cases/{mine.pk}/edit/", {"action": "submit"})
    assert "继续填写草稿" not in client.get("/services/aud-students/").content.decode()
    again = client.post("/services/aud-students/apply/")
    new = Case.objects.exclude(pk=mine.pk).get()
    assert new.status == Status.DRAFT and again["Location"] == f"/cases/{new.pk}/edit/"


def test_a_relation_longer_than_the_form_takes_is_refused_naming_it(world, open_to, login):
    open_to("aud-students", ["student"])
    answer = login(world.applicant).post("/services/aud-students/apply/", {"on_behalf": "子" * 33})
    assert answer.status_code == 400 and said_at(answer, "id_on_behalf") == ["代办关系最多 32 个字"]
    assert not Case.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_pressing_apply_at_once_make_one_draft(world, open_to):
    item = open_to("aud-students", ["student"])
    outcomes = at_once(2, lambda n: applying.apply_or_resume(actor=world.applicant, item=item))
    assert not failures(outcomes)
    [(one, one_resumed), (other, other_resumed)] = outcomes
    assert one.pk == other.pk and {one_resumed, other_resumed} == {False, True}
    assert Case.objects.filter(applicant=world.applicant, status=Status.DRAFT).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_api_creates_at_once_make_one_draft_and_the_other_is_told_its_id(world, open_to):
    item = open_to("aud-students", ["student"])
    outcomes = at_once(2, lambda n: applying.start_draft(actor=world.applicant, item=item))
    [made] = [o for o in outcomes if isinstance(o, Case)]
    [refused] = failures(outcomes)
    assert isinstance(refused, StateConflict) and refused.code == "draft_open"
    assert refused.extra == {"case_id": made.pk} and Case.objects.count() == 1


@pytest.mark.parametrize(("graduation", "graduate", "alumnus"), [
    (None, False, False),  # no graduation recorded: a student only
    (400, False, False),  # graduating in more than a year
    (30, True, False),  # graduating within storage's window: a graduate already
    (-1, True, True),  # graduated: a graduate and an alumnus
])
def test_a_graduate_and_an_alumnus_are_who_the_household_record_says(world, open_to, login, graduation, graduate,
                                                                     alumnus):
    today = timezone.localdate()
    HouseholdRecord.objects.update_or_create(person=world.applicant_person, defaults={
        "status": Household.IN_SCHOOL,
        "graduation_date": today + dt.timedelta(days=graduation) if graduation is not None else None})
    open_to("aud-graduates", ["graduate"])
    open_to("aud-alumni", ["alumnus"])
    listed = login(world.applicant).get("/services/").content.decode()
    assert ('href="/services/aud-graduates/"' in listed) is graduate
    assert ('href="/services/aud-alumni/"' in listed) is alumnus


def test_a_staff_member_with_a_graduation_date_is_no_graduate(open_to, personas, login):
    teacher = Person.objects.get(account=personas["staff"])
    HouseholdRecord.objects.update_or_create(person=teacher, defaults={
        "status": Household.IN_SCHOOL, "graduation_date": timezone.localdate() - dt.timedelta(days=1)})
    open_to("aud-graduates", ["graduate"])
    assert 'href="/services/aud-graduates/"' not in login(personas["staff"]).get("/services/").content.decode()
