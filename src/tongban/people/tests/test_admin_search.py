"""The admin's person list finds a whole ID number through a form that posts, so the
number never travels in a URL (access logs, history, Referer)."""

import pytest

pytestmark = pytest.mark.django_db
LIST = "/admin/people/person/"


@pytest.fixture
def admin_client(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    return login(world.sysadmin)


def test_an_id_number_search_posts_and_lands_on_a_url_without_the_number(admin_client, world):
    person = world.person(name="王查找")
    number = person.plain_id_number()
    answer = admin_client.post(LIST, {"id_number": number, "id_number_search": "查找"})
    assert answer.status_code == 302 and number not in answer["Location"]
    page = admin_client.get(answer["Location"])
    assert list(page.context["cl"].result_list) == [person]


def test_an_unknown_number_finds_no_one(admin_client, world):
    world.person(name="别人")
    answer = admin_client.post(LIST, {"id_number": "110105199001010000", "id_number_search": "查找"})
    assert list(admin_client.get(answer["Location"]).context["cl"].result_list) == []


def test_an_id_number_in_the_get_search_is_not_searched_but_sent_back(admin_client, world):
    number = world.person(name="王查找").plain_id_number()
    answer = admin_client.get(LIST, {"q": number})
    assert answer.status_code == 302 and answer["Location"] == LIST


def test_the_list_offers_the_posting_form(admin_client, world):
    page = admin_client.get(LIST).content.decode()
    assert 'name="id_number_search"' in page and 'method="post"' in page


def test_the_posting_search_is_refused_without_the_admins_view_right(world, login):
    world.clerk.is_staff = True
    world.clerk.save()
    answer = login(world.clerk).post(LIST, {"id_number": world.applicant_person.plain_id_number(),
                                            "id_number_search": "查找"})
    assert answer.status_code == 403


def test_a_partial_number_is_refused_next_to_the_field_with_the_input_kept(admin_client, world):
    world.person(name="王查找")
    answer = admin_client.post(LIST, {"id_number": "11010519", "id_number_search": "查找"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert '<ul class="errorlist"' in page and "请输入完整的 18 位身份证号。" in page
    assert 'value="11010519"' in page
    assert "按身份证号查找（号码不进入网址和访问日志）" in page


def test_an_empty_search_says_so_next_to_the_field(admin_client, world):
    answer = admin_client.post(LIST, {"id_number": "", "id_number_search": "查找"})
    assert answer.status_code == 400 and "请输入完整的 18 位身份证号。" in answer.content.decode()
