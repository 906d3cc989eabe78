"""What staff post to the workbench goes through forms: a refusal is said next to the
field it is about, the input stays, and nothing is recorded or queued."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.people.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):
    return world.person(name="王五", unit=world.econ, id_number="110105199001010029", phone="13812345678")


def _after(html: str, marker: str, text: str) -> bool:
    """`text` comes after `marker` and before the next label: next to that field."""
    start = html.index(marker)
    end = html.find("<label", start)
    return text in html[start:end if end != -1 else None]


def test_a_short_reason_is_refused_next_to_the_reason_with_the_input_kept(world, login, person):
    response = login(world.officer).post(f"/workbench/people/{person.pk}/unmask/",
                                         {"field": "phone", "reason": "查"})
    assert response.status_code == 422
    html = response.content.decode()
    assert _after(html, 'name="reason"', "请填写查看完整号码的事由。")
    assert 'value="查"' in html
    assert '<option value="phone" selected>' in html
    assert not AuditEntry.objects.filter(action="people.unmask").exists()


def test_an_empty_post_names_both_fields_at_once(world, login, person):
    response = login(world.officer).post(f"/workbench/people/{person.pk}/unmask/", {})
    assert response.status_code == 422
    html = response.content.decode()
    assert _after(html, 'name="field"', "只能查看身份证号或手机号。")
    assert _after(html, 'name="reason"', "请填写查看完整号码的事由。")
    assert "13812345678" not in html and "110105199001010029" not in html
    assert not AuditEntry.objects.filter(action="people.unmask").exists()


def test_who_may_not_unmask_gets_no_form_even_with_bad_input(world, login, person):
    response = login(world.college_admin).post(f"/workbench/people/{person.pk}/unmask/", {})
    assert response.status_code == 403
    assert 'name="reason"' not in response.content.decode()


def test_an_import_without_a_file_says_so_next_to_the_file_and_keeps_the_dry_run(world, login):
    response = login(world.officer).post("/workbench/people/import/", {"dry_run": "1"})
    assert response.status_code == 422
    html = response.content.decode()
    assert _after(html, 'name="file"', "请选择要导入的文件。")
    assert '<input type="checkbox" name="dry_run"' in html
    checkbox = html.index('name="dry_run"')
    assert "checked" in html[checkbox:html.index(">", checkbox)]
    assert not ImportJob.objects.exists()


def test_the_people_search_ignores_a_unit_that_is_not_a_number(world, login):
    response = login(world.officer).get("/workbench/people/", {"q": "王", "unit": "x"})
    assert response.status_code == 200
