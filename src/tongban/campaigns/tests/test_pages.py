import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from tongban.campaigns import services
from tongban.campaigns.models import Assignment, Campaign
from tongban.campaigns.tests.conftest import answers, assignment_of, committed, make, sent


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form(hall, **more):
    now = timezone.now()
    return {"name": "国庆假期去向", "item": hall.item.pk, "opens_at": local(now - timedelta(minutes=5)),  # i18n: data
            "closes_at": local(now + timedelta(days=3)), "categories": ["undergraduate"], "remind_hours_before": 24,
            "remind_every_days": 0, **more}


def test_a_department_admin_makes_and_sends_a_campaign_through_the_pages(hall, login):
    client = login(hall.dept)
    response = client.post("/workbench/campaigns/new/", form(hall))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workbench/campaigns/{campaign.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "<strong>5</strong>" in page
    with committed():
        assert client.post(f"/workbench/campaigns/{campaign.pk}/start/").status_code == 302
    page = client.get(f"/workbench/campaigns/{campaign.pk}/").content.decode()
    assert 'id="count-sent">5<' in page
    assert f'hx-get="/workbench/campaigns/{campaign.pk}/counts/"' in page


def test_a_close_in_the_past_is_refused_next_to_its_field_with_the_input_kept(hall, login):
    client = login(hall.dept)
    past = local(timezone.now() - timedelta(hours=1))
    response = client.post("/workbench/campaigns/new/", form(hall, opens_at=local(timezone.now() - timedelta(days=1)),
                                                             closes_at=past))
    assert response.status_code == 422
    assert response.context["form"].errors["closes_at"]
    assert "国庆假期去向" in response.content.decode()  # i18n: data
    assert not Campaign.objects.exists()


def test_an_audience_of_nobody_is_said_on_the_page_before_sending(hall, login):
    campaign = make(hall, rule={"years": [1999]})
    page = login(hall.dept).get(f"/workbench/campaigns/{campaign.pk}/").content.decode()
    assert 'id="start-refusal"' in page
    assert f"/workbench/campaigns/{campaign.pk}/start/" not in page


def test_counts_are_scoped_to_the_viewers_units(hall, world, login):
    campaign = sent(hall)
    client = login(hall.counsellor)
    assert client.get(f"/workbench/campaigns/{campaign.pk}/counts/").context["counts"].sent == 2
    client = login(world.college_admin)
    assert client.get(f"/workbench/campaigns/{campaign.pk}/counts/").context["counts"].sent == 4
    client = login(hall.dept)
    assert client.get(f"/workbench/campaigns/{campaign.pk}/counts/").context["counts"].sent == 5


def test_a_counsellor_does_not_see_another_colleges_people(hall, world, login):
    campaign = sent(hall)
    client = login(world.college_admin)
    page = client.get(f"/workbench/campaigns/{campaign.pk}/people/?which=sent").content.decode()
    assert "学生a" in page and "学生c" in page  # i18n: data
    assert "学生d" not in page  # i18n: data
    d = assignment_of(campaign, hall.students["d"])
    assert client.post(f"/workbench/campaigns/{campaign.pk}/people/{d.pk}/approve/").status_code == 404


def test_a_campaign_that_reached_nobody_of_a_counsellor_is_not_theirs_to_see(hall, world, login):
    campaign = sent(hall, rule={"units": [world.law.pk]})
    assert login(hall.counsellor).get(f"/workbench/campaigns/{campaign.pk}/").status_code == 404
    assert login(world.outsider).get(f"/workbench/campaigns/{campaign.pk}/").status_code == 403


def test_the_drill_down_shows_who_has_not_filled(hall, login):
    campaign = sent(hall)
    a = hall.students["a"]
    services.fill(actor=a.account, assignment_id=assignment_of(campaign, a).pk, answers=answers())
    page = login(hall.counsellor).get(f"/workbench/campaigns/{campaign.pk}/people/?which=not_filled")
    names = [x.person.name for x in page.context["page"]]
    assert names == ["学生b"]  # i18n: data


def test_answers_and_who_has_not_filled_export_to_excel_within_reach(hall, world, login):
    campaign = sent(hall)
    a = hall.students["a"]
    services.fill(actor=a.account, assignment_id=assignment_of(campaign, a).pk, answers=answers())
    client = login(world.college_admin)
    book = load_workbook(io.BytesIO(client.get(f"/workbench/campaigns/{campaign.pk}/answers.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "学生a" and "回家" in rows[1]  # i18n: data
    book = load_workbook(io.BytesIO(client.get(f"/workbench/campaigns/{campaign.pk}/unfilled.xlsx").content))
    names = {row[1] for row in list(book.active.iter_rows(values_only=True))[1:]}
    assert names == {"李同学", "学生b", "学生c"}  # i18n: data


def test_a_student_fills_on_the_phone_and_the_counsellor_sees_it_opened_and_filled(hall, login):
    campaign = sent(hall)
    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    client = login(a.account)
    assert "国庆假期去向" in client.get("/campaigns/").content.decode()  # i18n: data
    page = client.get(f"/campaigns/{todo.pk}/")
    assert page.status_code == 200 and 'name="going"' in page.content.decode()
    todo.refresh_from_db()
    assert todo.opened_at is not None
    response = client.post(f"/campaigns/{todo.pk}/", answers())
    assert response.status_code == 302
    todo.refresh_from_db()
    assert todo.state == Assignment.State.FILLED
    counts = login(hall.counsellor).get(f"/workbench/campaigns/{campaign.pk}/counts/").context["counts"]
    assert (counts.opened, counts.filled) == (1, 1)


def test_a_bad_answer_is_shown_next_to_its_field(hall, login):
    campaign = sent(hall)
    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    response = login(a.account).post(f"/campaigns/{todo.pk}/", answers(phone="12345"))
    assert response.status_code == 422
    assert response.context["form"].errors["phone"]


def test_another_student_cannot_open_or_fill_someone_elses_to_do(hall, login):
    campaign = sent(hall)
    todo = assignment_of(campaign, hall.students["a"])
    client = login(hall.students["b"].account)
    assert client.get(f"/campaigns/{todo.pk}/").status_code == 404
    assert client.post(f"/campaigns/{todo.pk}/", answers()).status_code == 404
    assert not hasattr(Assignment.objects.get(pk=todo.pk), "answer")


def test_after_the_close_the_page_says_so_and_a_post_is_refused(hall, login):
    campaign = sent(hall)
    a = hall.students["a"]
    todo = assignment_of(campaign, a)
    Campaign.objects.filter(pk=campaign.pk).update(opens_at=timezone.now() - timedelta(days=2),
                                                   closes_at=timezone.now() - timedelta(minutes=1))
    client = login(a.account)
    assert 'id="refusal"' in client.get(f"/campaigns/{todo.pk}/").content.decode()
    assert client.post(f"/campaigns/{todo.pk}/", answers()).status_code == 409
    counts = login(hall.dept).get(f"/workbench/campaigns/{campaign.pk}/counts/").context["counts"]
    assert counts.overdue == 5


def test_an_uploaded_list_with_unknown_rows_is_listed_and_confirmed_on_the_page(hall, login):
    campaign = make(hall, rule={}, uses_list=True)
    client = login(hall.dept)
    content = f"学号\n{hall.students['a'].student_number}\nS0000000\n".encode()  # i18n: data
    response = client.post(f"/workbench/campaigns/{campaign.pk}/list/",
                           {"file": SimpleUploadedFile("list.csv", content, content_type="text/csv")})
    assert response.status_code == 302
    page = client.get(f"/workbench/campaigns/{campaign.pk}/").content.decode()
    assert 'id="unmatched"' in page and "S0000000" in page and 'id="start-refusal"' in page
    client.post(f"/workbench/campaigns/{campaign.pk}/confirm/")
    with committed():
        client.post(f"/workbench/campaigns/{campaign.pk}/start/")
    assert list(Campaign.objects.get().assignments.values_list("person_id", flat=True)) == [hall.students["a"].pk]


def test_remind_on_the_page_then_refused_within_the_window(hall, login):
    campaign = sent(hall)
    client = login(hall.counsellor)
    first = client.post(f"/workbench/campaigns/{campaign.pk}/remind/", follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    response = client.post(f"/workbench/campaigns/{campaign.pk}/remind/", follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert campaign.reminders.count() == 1


def test_clone_through_the_page(hall, login):
    campaign = sent(hall)
    now = timezone.now()
    response = login(hall.dept).post(f"/workbench/campaigns/{campaign.pk}/clone/", {
        "name": "寒假去向", "opens_at": local(now + timedelta(days=30)),  # i18n: data
        "closes_at": local(now + timedelta(days=33))})
    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert response.status_code == 302 and copy.rule == campaign.rule and copy.state == Campaign.State.DRAFT


def test_while_sending_the_page_shows_the_jobs_progress_and_polls_it(hall, login):
    campaign = make(hall)
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.RUNNING, total=5, dispatched=2)
    page = login(hall.dept).get(f"/workbench/campaigns/{campaign.pk}/counts/").content.decode()
    assert 'id="progress"' in page and 'aria-valuenow="40"' in page
    assert f'hx-get="/workbench/campaigns/{campaign.pk}/counts/"' in page


def test_the_staff_pages_render_and_a_cohort_is_saved_from_one(hall, world, login):
    campaign = sent(hall)
    client = login(hall.dept)
    listing = client.get("/workbench/campaigns/").content.decode()
    assert f"/workbench/campaigns/{campaign.pk}/" in listing and "/workbench/campaigns/new/" in listing
    for url in ("/workbench/campaigns/new/", f"/workbench/campaigns/{campaign.pk}/clone/",
                f"/workbench/campaigns/{campaign.pk}/cohort/", f"/workbench/campaigns/{campaign.pk}/people/?which=x"):
        assert client.get(url).status_code == 200, url
    saved = client.post(f"/workbench/campaigns/{campaign.pk}/cohort/", {"name": "国庆名单"})  # i18n: data
    assert saved.status_code == 302
    form = client.get("/workbench/campaigns/new/").context["form"]
    assert [c.name for c in form.fields["cohort"].queryset] == ["国庆名单"]  # i18n: data
    assert 'href="/workbench/campaigns/"' in login(world.college_admin).get("/workbench/").content.decode()
    assert login(world.clerk).get("/workbench/campaigns/").status_code == 403
