"""The workbench's people list and person page: masked numbers only, and only the people
the viewer's roles reach."""

import pytest

NUMBER = "110105199001010029"
PHONE = "13812345678"


@pytest.fixture
def people(world):
    return {
        "econ": world.person(name="经院学生", unit=world.econ, id_number=NUMBER, phone=PHONE),
        "law": world.person(name="法院学生", unit=world.law, id_number="110105199001010037"),
    }


def test_the_list_shows_masked_numbers_only(world, login, people):
    html = login(world.officer).get("/workbench/people/").content.decode()
    assert '<td class="mono">110105********0029</td>' in html
    assert '<td class="mono">138****5678</td>' in html
    assert NUMBER not in html
    assert PHONE not in html


def test_the_person_page_shows_masked_numbers_only(world, login, people):
    response = login(world.officer).get(f"/workbench/people/{people['econ'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<dd class="mono">110105********0029</dd>' in html
    assert '<dd class="mono">138****5678</dd>' in html
    assert NUMBER not in html
    assert PHONE not in html


def test_the_unmask_form_is_offered_only_to_those_who_may_unmask(world, login, people):
    url = f"/workbench/people/{people['econ'].pk}/"
    assert 'id="unmask"' in login(world.officer).get(url).content.decode()
    assert 'id="unmask"' not in login(world.college_admin).get(url).content.decode()


def test_a_college_admin_lists_their_college_only(world, login, people):
    html = login(world.college_admin).get("/workbench/people/").content.decode()
    assert "经院学生" in html
    assert "李同学" in html
    assert "法院学生" not in html
    assert "共 2 人" in html


def test_an_officer_lists_the_whole_university(world, login, people):
    html = login(world.officer).get("/workbench/people/").content.decode()
    assert ("经院学生" in html, "法院学生" in html, "共 3 人" in html) == (True, True, True)


def test_searching_by_a_whole_id_number_finds_the_person(world, login, people):
    # posted: a whole ID number is never searched from a URL (workbench/tests/test_people_search.py)
    html = login(world.officer).post("/workbench/people/", {"q": NUMBER}).content.decode()
    assert "共 1 人" in html
    assert "经院学生" in html
    assert NUMBER not in html.replace(f'value="{NUMBER}"', "")  # only echoed back in the search box


def test_searching_by_part_of_an_id_number_finds_nobody(world, login, people):
    html = login(world.officer).get("/workbench/people/", {"q": NUMBER[:10]}).content.decode()
    assert "共 0 人" in html


def test_a_person_outside_ones_reach_is_not_found(world, login, people):
    assert login(world.college_admin).get(f"/workbench/people/{people['law'].pk}/").status_code == 404


def test_a_person_that_does_not_exist_is_not_found_either(world, login):
    assert login(world.officer).get("/workbench/people/999999/").status_code == 404


@pytest.mark.parametrize("url", ["/workbench/people/", "/workbench/people/1/"])
def test_someone_without_a_staff_role_is_refused(world, login, url):
    assert login(world.outsider).get(url).status_code == 403
    assert login(world.applicant).get(url).status_code == 403


def test_a_whole_id_number_is_searched_by_post_and_never_put_in_a_url(world, login):
    person = world.person(name="查号对象", unit=world.econ)
    client = login(world.officer)
    response = client.post("/workbench/people/", {"q": person.plain_id_number()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "查号对象" in html and "共 1 人" in html
    assert person.plain_id_number() not in html  # not even echoed back in the search box


def test_a_name_search_is_redirected_to_a_url_that_pages(world, login):
    world.person(name="翻页对象", unit=world.econ)
    client = login(world.officer)
    response = client.post("/workbench/people/", {"q": "翻页对象"})
    assert response.status_code == 302
    assert "/workbench/people/?q=" in response["Location"]
    assert "翻页对象" in client.get(response["Location"]).content.decode()
