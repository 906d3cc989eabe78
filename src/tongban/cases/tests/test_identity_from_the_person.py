"""Identity on an application comes from the person record the case is about, never
from what the form or the API sends: the answers prefilled with name, ID number,
student number, unit, category or enrolment year are read-only on the page, a
changed one is refused naming the field (and the attempt is on the trail), the same
value or its masked form is taken. Someone else (a child) is applied for by a
verified relation, picked, never typed; the staff page shows whose record it is."""

import json

import pytest

from tongban.audit.models import AuditEntry
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach
from tongban.conftest import at_once, make_id
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.people.models import Relation
from tongban.people.services import add_relation, verify_relation

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _refusals():
    return list(AuditEntry.objects.filter(action="case.identity_refused").values_list("details", flat=True))


def _draft(world, service):
    case = services.start_application(actor=world.applicant, item=service)
    return services.save_draft(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})


# --- one's own identity ----------------------------------------------------------------------
def test_changing_the_prefilled_name_is_refused_naming_the_field_and_is_on_the_trail(world, certificate_service):
    case = _draft(world, certificate_service)
    with pytest.raises(ApplicationError) as caught:
        services.save_draft(actor=world.applicant, case=case, answers={"name": "王冒名", "year": "2023"})
    assert (caught.value.code, caught.value.field, caught.value.status) == ("identity_locked", "name", 422)
    assert caught.value.message == "姓名取自本人的人员登记信息，不能修改"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.answers["name"], fresh.answers["year"]) == ("李同学", 2024)  # nothing of the save kept
    assert _refusals() == [{"item": "degree-loss", "field": "name", "subject": None}]
    entry = AuditEntry.objects.get(action="case.identity_refused")
    assert (entry.actor_id, entry.object_id) == (world.applicant.pk, str(case.pk))


def test_another_valid_id_number_is_refused_and_the_stored_one_kept(world, certificate_service):
    case = _draft(world, certificate_service)
    with pytest.raises(ApplicationError) as caught:
        services.save_draft(actor=world.applicant, case=case, answers={"id_number": make_id()})
    assert (caught.value.code, caught.value.field) == ("identity_locked", "id_number")
    assert services.secrets_of(Case.objects.get(pk=case.pk))["id_number"] == world.applicant_person.plain_id_number()


def test_the_same_values_or_the_masked_id_number_sent_back_are_taken(world, certificate_service):
    case = _draft(world, certificate_service)
    raw = world.applicant_person.plain_id_number()
    masked = case.answers["id_number"]
    services.save_draft(actor=world.applicant, case=case,
                        answers={"name": " 李同学 ", "id_number": masked, "year": "2023"})
    services.save_draft(actor=world.applicant, case=case, answers={"id_number": raw.lower()})
    assert Case.objects.get(pk=case.pk).answers["year"] == 2023
    assert _refusals() == []


def test_submitting_with_a_changed_name_is_refused_and_nothing_is_submitted(world, certificate_service):
    case = _draft(world, certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    with pytest.raises(ApplicationError) as caught:
        services.submit(actor=world.applicant, case=case, answers={"name": "王冒名"})
    assert caught.value.field == "name"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.serial) == ("draft", None)
    assert len(_refusals()) == 1


def test_a_submission_takes_the_identity_from_the_record_whatever_was_stored(world, certificate_service):
    """A draft kept before this rule (or written around it) is put right on submission."""
    case = _draft(world, certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    Case.objects.filter(pk=case.pk).update(answers={**case.answers, "name": "王冒名"})
    case = services.submit(actor=world.applicant, case=Case.objects.get(pk=case.pk))
    assert Case.objects.get(pk=case.pk).answers["name"] == "李同学"


def test_the_edit_page_shows_the_identity_read_only(world, certificate_service, login):
    case = _draft(world, certificate_service)
    text = login(world.applicant).get(f"/cases/{case.pk}/edit/").content.decode()
    name_input = text[text.index('name="name"') - 200:text.index('name="name"') + 200]
    assert "disabled" in name_input and "李同学" in name_input
    assert "取自人员登记信息，不能修改" in text
    year_input = text[text.index('name="year"') - 120:text.index('name="year"') + 120]
    assert "disabled" not in year_input


def test_a_forged_autosave_changing_the_name_is_refused_at_the_field(world, certificate_service, login):
    case = _draft(world, certificate_service)
    answer = login(world.applicant).post(f"/cases/{case.pk}/edit/", {"name": "王冒名", "year": "2024"})
    assert answer.status_code == 422
    assert answer.context["form"].errors == {"name": ["姓名取自本人的人员登记信息，不能修改"]}
    assert Case.objects.get(pk=case.pk).answers["name"] == "李同学"
    assert len(_refusals()) == 1


def test_a_forged_submission_from_the_page_changing_the_id_number_is_refused(world, certificate_service, login):
    case = _draft(world, certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    answer = login(world.applicant).post(f"/cases/{case.pk}/edit/",
                                         {"id_number": make_id(), "action": "submit"})
    assert answer.status_code == 422
    assert Case.objects.get(pk=case.pk).status == "draft"
    assert [d["field"] for d in _refusals()] == ["id_number"]


def test_the_api_patch_changing_the_name_is_422_naming_the_field_and_on_the_trail(world, certificate_service,
                                                                                 login):
    case = _draft(world, certificate_service)
    client = login(world.applicant)
    answer = client.patch(f"{API}/applications/{case.pk}", json.dumps({"answers": {"name": "王冒名"}}),
                          content_type="application/json")
    assert answer.status_code == 422
    assert answer.json() == {"code": "identity_locked", "message": "姓名取自本人的人员登记信息，不能修改",
                             "field": "name"}
    detail = client.get(f"{API}/applications/{case.pk}").json()
    assert detail["answers"]["name"] == "李同学"
    assert detail["identity_fields"] == ["id_number", "name"]
    assert len(_refusals()) == 1


@pytest.mark.parametrize("submit", [False, True])
def test_the_api_create_with_another_name_is_refused_on_the_trail_and_makes_no_case(
        world, certificate_service, login, submit):
    answer = login(world.applicant).post(
        f"{API}/services/degree-loss/applications",
        json.dumps({"answers": {"name": "王冒名", "year": "2024", "reported": "否"}, "submit": submit}),
        content_type="application/json")
    assert (answer.status_code, answer.json()["field"]) == (422, "name")
    assert not Case.objects.exists()
    assert _refusals() == [{"item": "degree-loss", "field": "name", "subject": None}]


# --- someone else, by a verified relation ------------------------------------------------------
@pytest.fixture
def child(world):
    return world.person(name="李小宝", student_number="")


@pytest.fixture
def verified_child(world, child):
    """Recorded by the college's clerk at the window, then verified (the proof seen)."""
    relation = add_relation(actor=None, person=world.applicant_person, relative=child, kind=Relation.Kind.CHILD)
    return verify_relation(actor=world.officer, relation=relation)


def test_a_relation_is_added_and_verified_on_the_trail_and_a_second_verify_is_refused(world, child):
    relation = add_relation(actor=world.officer, person=world.applicant_person, relative=child,
                            kind=Relation.Kind.CHILD)
    assert relation.verified_at is None
    relation = verify_relation(actor=world.officer, relation=relation)
    assert relation.verified_by == world.officer
    with pytest.raises(StateConflict) as caught:
        verify_relation(actor=world.officer, relation=relation)  # a second tab
    assert caught.value.code == "already_verified"
    assert list(AuditEntry.objects.filter(action__startswith="people.relation").values_list("action", flat=True)
                .order_by("seq")) == ["people.relation_add", "people.relation_verify"]


def test_someone_who_may_not_edit_the_persons_record_cannot_add_or_verify_a_relation(world, child):
    with pytest.raises(NotAllowed):
        add_relation(actor=world.applicant, person=world.applicant_person, relative=child, kind="child",
                     verified=True)
    relation = add_relation(actor=None, person=world.applicant_person, relative=child, kind="child")
    with pytest.raises(NotAllowed):
        verify_relation(actor=world.clerk, relation=relation)  # a police clerk: not the university's people
    assert Relation.objects.get(pk=relation.pk).verified_at is None


def test_a_relation_to_oneself_or_a_second_time_or_of_no_kind_is_refused(world, child):
    add_relation(actor=None, person=world.applicant_person, relative=child, kind="child")
    for relative, kind, code in [(world.applicant_person, "child", "self_relation"),
                                 (child, "child", "relation_exists"), (child, "cousin", "bad_kind")]:
        with pytest.raises(ApplicationError) as caught:
            add_relation(actor=None, person=world.applicant_person, relative=relative, kind=kind)
        assert caught.value.code == code


def test_the_staff_page_shows_whose_identity_the_case_carries(world, certificate_service, verified_child, child,
                                                              login):
    case = services.start_application(actor=world.applicant, item=certificate_service, subject_person=child)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    services.submit(actor=world.applicant, case=case, answers={"year": "2024", "reported": "否"})
    text = login(world.college_admin).get(f"/workbench/cases/{case.pk}/").content.decode()
    card = text[text.index('id="identity"'):]
    card = card[:card.index("</section>")]
    assert "办理对象（子女）身份" in card and "李小宝" in card and child.id_number_masked in card
    assert child.birth_date.strftime("%Y-%m-%d") in card
    assert child.plain_id_number() not in text


# --- races (PostgreSQL) ------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_relation_recorded_twice_at_once_is_one_relation(world, child):
    outcomes = at_once(2, lambda n: add_relation(actor=None, person=world.applicant_person, relative=child,
                                                 kind="child", verified=True))
    assert Relation.objects.count() == 1
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1 and refused[0].code == "relation_exists"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_verifying_one_relation_at_once_verify_it_once(world, child):
    relation = add_relation(actor=None, person=world.applicant_person, relative=child, kind="child")
    outcomes = at_once(2, lambda n: verify_relation(actor=world.officer, relation=relation))
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1 and refused[0].code == "already_verified"
    assert AuditEntry.objects.filter(action="people.relation_verify").count() == 1


def test_the_staff_page_says_when_the_identity_is_not_from_a_record(world, residence_service, login):
    """An account bound to no one types its own answers (a resident at the station's
    service): the staff are told to check the papers."""
    from tongban.accounts.services import create_user

    visitor = create_user(actor=None, username="visitor", password="x-long-password", display_name="访客")
    case = services.start_application(actor=visitor, item=residence_service)
    assert services.identity_keys(case) == set()
    attach(actor=visitor, case=case, material_key="form", upload=pdf())
    case = services.submit(actor=visitor, case=case, answers={"name": "王访客", "address": "东门大街 2 号"})
    assert case.answers["name"] == "王访客"
    text = login(world.clerk).get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "申请人账号未绑定人员信息，表单中的身份信息为申请人自行填写，请核对证件。" in text


def test_gender_and_birth_date_are_identity_too(world, certificate_service, login):
    from tongban.catalog.models import FormField
    from tongban.catalog.services import publish

    FormField.objects.create(item=certificate_service, order=6, key="gender", label="性别", prefill="gender")
    FormField.objects.create(item=certificate_service, order=7, key="born", label="出生日期", type="date",
                             prefill="birth_date")
    publish(actor=None, item=certificate_service)
    certificate_service.refresh_from_db()
    person = world.applicant_person
    case = services.start_application(actor=world.applicant, item=certificate_service)
    assert (case.answers["gender"], case.answers["born"]) == (person.get_gender_display(),
                                                              person.birth_date.isoformat())
    for key, forged in (("gender", "女" if person.get_gender_display() == "男" else "男"), ("born", "1990-01-01")):
        with pytest.raises(ApplicationError) as caught:
            services.save_draft(actor=world.applicant, case=case, answers={key: forged})
        assert (caught.value.code, caught.value.field) == ("identity_locked", key)
    page = login(world.applicant).get(f"/cases/{case.pk}/edit/").content.decode()
    assert 'name="gender"' in page and "取自人员登记信息，不能修改" in page
