"""A whole ID number is searched by posting the form, never through a URL: a GET
carrying one is sent back unsearched."""

import pytest

pytestmark = pytest.mark.django_db
PEOPLE = "/workbench/people/"


def test_a_posted_id_number_finds_the_person_without_a_redirect_naming_it(world, login):
    person = world.person(name="王查找")
    answer = login(world.officer).post(PEOPLE, {"q": person.plain_id_number()})
    assert answer.status_code == 200 and [p.pk for p in answer.context["page"]] == [person.pk]


def test_an_id_number_in_the_url_is_not_searched(world, login):
    person = world.person(name="王查找")
    answer = login(world.officer).get(PEOPLE, {"q": person.plain_id_number()})
    assert answer.status_code == 302 and answer["Location"] == PEOPLE


def test_a_name_in_the_url_is_still_searched(world, login):
    person = world.person(name="王查找")
    answer = login(world.officer).get(PEOPLE, {"q": "王查找"})
    assert [p.pk for p in answer.context["page"]] == [person.pk]
