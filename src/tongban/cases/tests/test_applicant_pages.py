"""The applicant's pages through the test client: the catalog and a guide, applying,
the form saved on each change (htmx) with fields that appear as answers change,
submitting, the case page, and withdrawing and urging from it."""

import pytest
from django.contrib.messages import get_messages

from tongban.accounts.services import create_user
from tongban.cases import services
from tongban.cases.models import Case, WorkItem
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach
from tongban.people.services import link_account

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _flash(answer) -> list[str]:
    return [str(m) for m in get_messages(answer.wsgi_request)]


@pytest.fixture
def draft(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    return case


def test_the_service_list_shows_published_services_to_whom_they_are_for(world, login, certificate_service):
    client = login(world.applicant)  # a student: the service is for students and alumni
    page = client.get("/services/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "办事服务" in text and "学士学位证书遗失证明" in text and 'href="/services/degree-loss/"' in text
    assert "学士学位证书遗失证明" not in client.get("/services/?q=户口").content.decode()


def test_an_unpublished_service_is_neither_listed_nor_shown(client, certificate_service):
    from tongban.catalog.services import unpublish

    assert client.get("/services/degree-loss/").status_code == 200  # kept by this process now
    unpublish(actor=None, item=certificate_service)
    assert "学士学位证书遗失证明" not in client.get("/services/").content.decode()
    assert client.get("/services/degree-loss/").status_code == 404


def test_a_service_withdrawn_by_another_worker_stops_taking_applications_within_half_a_minute(
        world, certificate_service, login, monkeypatch):
    """The service a guide or an application opens is kept per process
    (lib/configcache.py): withdrawn elsewhere (no signal reaches this process: a
    queryset update stands in for it), it is gone here once the half minute passed."""
    import time

    from tongban.catalog.models import ServiceItem

    client = login(world.applicant)
    assert client.post("/services/degree-loss/apply/").status_code == 302
    ServiceItem.objects.filter(pk=certificate_service.pk).update(is_published=False)
    later = time.monotonic() + 31
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert client.post("/services/degree-loss/apply/").status_code == 404
    assert Case.objects.filter(applicant=world.applicant).count() == 1


def test_the_guide_shows_the_materials_and_asks_a_visitor_to_log_in(client, certificate_service):
    page = client.get("/services/degree-loss/")
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("办事指南", "教务处", "5 个工作日（法定 20 个工作日）", "遗失声明", "登报剪报", "登录后申请"):
        assert words in text
    assert client.get("/services/no-such-service/").status_code == 404


def test_applying_creates_a_draft_and_redirects_to_its_form(world, certificate_service, login):
    client = login(world.applicant)
    assert "在线申请" in client.get("/services/degree-loss/").content.decode()
    answer = client.post("/services/degree-loss/apply/", {"on_behalf": ""})
    case = Case.objects.get(applicant=world.applicant)
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{case.pk}/edit/")
    assert (case.status, case.item_id, case.serial) == ("draft", certificate_service.pk, None)


def test_applying_for_a_child_records_it_and_prefills_nothing_of_the_parent(world, certificate_service, login):
    from tongban.people.services import add_relation

    child = world.person(name="李小宝")
    relation = add_relation(actor=None, person=world.applicant_person, relative=child, kind="child", verified=True)
    client = login(world.applicant)
    client.post("/services/degree-loss/apply/", {"relation": relation.pk})
    case = Case.objects.get(applicant=world.applicant)
    assert (case.on_behalf, case.subject_person_id) == ("子女", child.pk)
    page = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert 'value="李同学"' not in page and 'value="李小宝"' in page  # the child's record, not the parent's
    assert "代子女申请" in client.get(f"/cases/{case.pk}/").content.decode()


def test_applying_needs_a_login(client, certificate_service):
    answer = client.post("/services/degree-loss/apply/")
    assert answer.status_code == 302 and "/login" in answer["Location"]
    assert not Case.objects.exists()


def test_the_form_hides_a_field_until_the_answer_it_depends_on_is_given(world, draft, login):
    page = login(world.applicant).get(f"/cases/{draft.pk}/edit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="reported"' in text and 'name="newspaper"' not in text
    assert 'value="李同学"' in text  # prefilled from the person record


def test_an_htmx_change_saves_the_draft_and_returns_the_fields_with_the_one_it_reveals(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/edit/", {"year": "2024", "reported": "是"},
                                         headers=HTMX)
    assert answer.status_code == 200
    assert "cases/_form.html" in [t.name for t in answer.templates]
    text = answer.content.decode()
    assert text.lstrip().startswith('<div id="fields">') and "<html" not in text
    assert 'name="newspaper"' in text and "登报报纸名称" in text
    case = Case.objects.get(pk=draft.pk)
    assert (case.status, case.answers["reported"], case.answers["year"]) == ("draft", "是", 2024)
    assert _flash(answer) == []


def test_an_htmx_change_that_shows_no_new_field_is_saved_without_redrawing(world, draft, login):
    client = login(world.applicant)
    shown = "name,id_number,year,reported"
    answer = client.post(f"/cases/{draft.pk}/edit/", {"year": "2023", "reported": "否", "_shown": shown,
                                                      "_materials": "statement"}, headers=HTMX)
    assert (answer.status_code, answer.content) == (204, b"")
    assert Case.objects.get(pk=draft.pk).answers["year"] == 2023
    answer = client.post(f"/cases/{draft.pk}/edit/", {"year": "2023", "reported": "是", "_shown": shown},
                         headers=HTMX)
    assert answer.status_code == 200 and 'name="newspaper"' in answer.content.decode()


def test_an_htmx_change_with_a_bad_value_shows_the_message_at_the_field(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/edit/", {"year": "去年"}, headers=HTMX)
    assert answer.status_code == 422  # base.html's htmx-config swaps it in
    text = answer.content.decode()
    assert 'value="去年"' in text  # what was typed is shown again, with the message
    assert text.index('name="year"') < text.index("毕业年份应为数字")
    assert "year" not in Case.objects.get(pk=draft.pk).answers


def test_submitting_without_a_required_field_answers_422_with_the_message_at_the_field(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/edit/",
                                         {"year": "2024", "reported": "是", "action": "submit"})
    assert answer.status_code == 422
    form = answer.context["form"]
    assert form.errors == {"newspaper": ["请填写登报报纸名称"]}
    text = answer.content.decode()
    assert text.index('name="newspaper"') < text.index("请填写登报报纸名称")
    case = Case.objects.get(pk=draft.pk)
    assert (case.status, case.answers["reported"]) == ("draft", "是")  # what was typed is kept


def test_submitting_without_a_core_material_answers_422_naming_it(world, certificate_service, login):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    answer = login(world.applicant).post(f"/cases/{case.pk}/edit/",
                                         {"year": "2024", "reported": "否", "action": "submit"})
    assert answer.status_code == 422
    assert "请上传遗失声明" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).status == "draft"


def test_a_successful_submit_leads_to_the_case_page_with_its_serial_and_timeline(world, draft, login):
    client = login(world.applicant)
    answer = client.post(f"/cases/{draft.pk}/edit/", {"year": "2024", "reported": "否", "action": "submit"})
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{draft.pk}/")
    assert _flash(answer) == ["申请已提交。"]
    case = Case.objects.get(pk=draft.pk)
    page = client.get(f"/cases/{draft.pk}/")
    text = page.content.decode()
    assert case.serial.startswith("XW-") and case.serial in text
    assert "审批中" in text and "提交申请" in text and "办理进度" in text
    assert client.get(f"/cases/{draft.pk}/edit/")["Location"] == f"/cases/{draft.pk}/"  # no more editing


def test_my_cases_lists_only_my_own(world, draft, certificate_service, login):
    other = create_user(actor=None, username="other_student", password="x-long-password", display_name="王同学")
    link_account(actor=None, person=world.person(name="王同学"), user=other)
    theirs = services.start_application(actor=other, item=certificate_service)
    text = login(world.applicant).get("/cases/").content.decode()
    assert f'href="/cases/{draft.pk}/"' in text and f'href="/cases/{theirs.pk}/"' not in text


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/cases/{pk}/"), ("get", "/cases/{pk}/edit/"), ("post", "/cases/{pk}/edit/"),
    ("post", "/cases/{pk}/withdraw/"), ("post", "/cases/{pk}/urge/"), ("post", "/cases/{pk}/upload/"),
])
def test_someone_elses_case_is_404(world, draft, login, method, path):
    answer = getattr(login(world.outsider), method)(path.format(pk=draft.pk))
    assert answer.status_code == 404
    assert Case.objects.get(pk=draft.pk).status == "draft"


def test_the_applicant_withdraws_from_the_case_page(world, draft, login):
    client = login(world.applicant)
    case = Case.objects.get(pk=draft.pk)
    assert "撤回申请" in client.get(f"/cases/{case.pk}/").content.decode()
    answer = client.post(f"/cases/{case.pk}/withdraw/", {"reason": "不办了"})
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{case.pk}/")
    assert _flash(answer) == ["申请已撤回。"]
    assert Case.objects.get(pk=case.pk).status == "withdrawn"
    assert "撤回申请" not in client.get(f"/cases/{case.pk}/").content.decode()


def test_urging_before_the_deadline_is_refused_with_a_message(world, certificate_service, submitted, login):
    case = submitted(certificate_service)
    client = login(world.applicant)
    assert "催办" not in client.get(f"/cases/{case.pk}/").content.decode()  # not offered: not overdue
    answer = client.post(f"/cases/{case.pk}/urge/")  # a forged POST
    assert answer.status_code == 302
    assert _flash(answer) == ["办件尚未超过办理期限，暂不能催办"]
    assert Case.objects.get(pk=case.pk).last_urged_at is None


def test_urging_an_overdue_case_tells_the_applicant_how_many_steps_were_urged(world, certificate_service,
                                                                              submitted, login):
    import datetime as dt

    from django.utils import timezone

    case = submitted(certificate_service)
    WorkItem.objects.filter(case=case).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    answer = login(world.applicant).post(f"/cases/{case.pk}/urge/", follow=True)
    assert "已催办（通知了 1 个办理环节）。" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).last_urged_at is not None


def test_an_upload_keeps_the_answers_the_page_carried_along(world, certificate_service, login):
    """The edit page sends the typed answers with a file, so an autosave that had not
    reached the server loses nothing when the page reloads."""
    from tongban.cases import services
    from tongban.cases.tests.conftest import pdf

    case = services.start_application(actor=world.applicant, item=certificate_service)
    client = login(world.applicant)
    client.post(f"/cases/{case.pk}/upload/", {"material": "statement", "file": pdf(), "answer__year": "2023",
                                              "answer__nonsense": "x"})
    case.refresh_from_db()
    assert case.answers["year"] == 2023 and "nonsense" not in case.answers
    assert case.attachments.count() == 1
