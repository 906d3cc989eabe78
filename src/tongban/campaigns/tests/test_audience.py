import pytest

from tongban.accounts.roles import Role
from tongban.accounts.services import grant_role
from tongban.campaigns import services
from tongban.campaigns.models import Campaign
from tongban.campaigns.tests.conftest import make, sent, start
from tongban.hukou.models import HouseholdRecord, Status
from tongban.lib.errors import ApplicationError
from tongban.people.models import Category


def who(campaign) -> set:
    return set(services.recipients(campaign).values_list("name", flat=True))


def test_a_unit_subtree_takes_every_class_below_it(hall, world):
    assert who(make(hall, rule={"units": [world.econ.pk]})) == {"李同学", "学生a", "学生b", "学生c"}  # i18n: data


def test_a_grade_is_the_year_of_enrolment(hall):
    assert who(make(hall, rule={"years": [2024]})) == {"学生c"}  # i18n: data


def test_a_programme_is_named_and_takes_its_classes(hall):
    assert who(make(hall, rule={"programmes": ["金融学"]})) == {"学生a", "学生b"}  # i18n: data


def test_a_household_status_is_read_from_the_collective_household(hall):
    HouseholdRecord.objects.update(status=Status.AWAITING)
    HouseholdRecord.objects.update_or_create(person=hall.students["d"], defaults={"status": Status.IN_SCHOOL})
    assert who(make(hall, rule={"household": [Status.IN_SCHOOL]})) == {"学生d"}  # i18n: data


def test_a_role_is_the_accounts_role(hall, world):
    staff = world.person(name="王老师", category=Category.STAFF)  # i18n: data
    from tongban.people.services import link_account

    link_account(actor=None, person=staff, user=world.clerk)
    grant_role(actor=None, user=world.clerk, role=Role.COLLEGE_ADMIN, org_unit=world.econ)
    assert who(make(hall, rule={"roles": [Role.COLLEGE_ADMIN]})) == {"王老师"}  # i18n: data


def test_conditions_all_hold_together(hall, world):
    assert who(make(hall, rule={"units": [world.econ.pk], "years": [2023]})) == {"学生a", "学生b"}  # i18n: data


def test_the_senders_reach_bounds_any_rule(hall, world):
    """The counsellor of 经济2301 names the law college: nobody of it is reached."""
    campaign = make(hall, actor=hall.counsellor, rule={"units": [world.law.pk]})
    assert who(campaign) == set()


def csv_of(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_an_uploaded_list_reports_the_rows_it_could_not_match_and_sends_to_the_rest_once_confirmed(hall, world):
    campaign = make(hall, rule={}, uses_list=True)
    a, d = hall.students["a"], hall.students["d"]
    entries = services.upload_list(actor=hall.dept, campaign=campaign, name="名单.csv", content=csv_of(  # i18n: data
        "学号", a.student_number, d.plain_id_number(), "S9999999", "110105200001011234", a.student_number))
    problems = [(e.row, e.value) for e in entries if e.person_id is None]
    assert problems == [(4, "S9999999"), (5, "110105********1234"), (6, a.student_number)]
    campaign.refresh_from_db()
    assert services.start_refusal(campaign).code == "list_unconfirmed"
    with pytest.raises(ApplicationError):
        services.start_dispatch(actor=hall.dept, campaign=campaign)
    services.confirm_list(actor=hall.dept, campaign=campaign)
    start(hall.dept, campaign)
    assert campaign.state == Campaign.State.DONE
    assert set(campaign.assignments.values_list("person_id", flat=True)) == {a.pk, d.pk}


def test_a_list_row_outside_the_senders_reach_is_not_found(hall):
    campaign = make(hall, actor=hall.counsellor, rule={}, uses_list=True)
    entries = services.upload_list(actor=hall.counsellor, campaign=campaign, name="l.csv",
                                   content=csv_of(hall.students["a"].student_number, hall.students["d"].student_number))
    assert [e.person_id for e in entries] == [hall.students["a"].pk, None]


def test_a_list_that_matches_nobody_is_refused(hall):
    campaign = make(hall, rule={}, uses_list=True)
    with pytest.raises(ApplicationError) as refused:
        services.upload_list(actor=hall.dept, campaign=campaign, name="l.csv", content=csv_of("x", "S0"))
    assert refused.value.code == "nobody_matched"


def test_an_excel_list_is_read_too(hall):
    from tongban.lib import excel

    campaign = make(hall, rule={}, uses_list=True)
    book = excel.workbook(title="名单", header=["学号"], rows=[[hall.students["c"].student_number]])  # i18n: data
    entries = services.upload_list(actor=hall.dept, campaign=campaign, name="list.xlsx", content=book.content)
    assert [e.person_id for e in entries] == [hall.students["c"].pk]
    campaign.refresh_from_db()
    assert campaign.list_confirmed


def test_a_saved_cohort_is_an_audience(hall):
    first = sent(hall, rule={"years": [2024]})
    cohort = services.save_cohort(actor=hall.dept, campaign=first, name="2024级")  # i18n: data
    assert who(make(hall, rule={}, cohort=cohort)) == {"学生c"}  # i18n: data
