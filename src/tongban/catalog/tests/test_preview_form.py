"""The preview's answers go through a form: a bad answer is said next to its field, the
admin's input stays as typed, and the good answers still drive the conditions."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.catalog.models import FormField, ServiceVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_with_a_phone(draft):
    FormField.objects.create(item=draft, order=3, key="phone", label="联系电话", type="phone")
    return draft


def test_a_bad_answer_is_said_next_to_its_field_with_the_input_kept(service_admin, draft_with_a_phone, login):
    answer = login(service_admin).post(f"/catalog/preview/{draft_with_a_phone.pk}/",
                                       {"reason": "遗失", "phone": "12345"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    html = answer.content.decode()
    field = html.index('name="phone"')
    assert 'value="12345"' in html[field - 200:field + 200]
    error = html.index("联系电话应为 11 位手机号")
    assert field < error < html.index("</div>", field)  # in the phone field's own block
    assert "报失回执编号" in html  # the good answer still shows the field it conditions
    assert not ServiceVersion.objects.exists() and not AuditEntry.objects.filter(action__startswith="catalog.").exists()


def test_a_choice_out_of_its_options_says_so_once(service_admin, draft, login):
    html = login(service_admin).post(f"/catalog/preview/{draft.pk}/", {"reason": "被盗"},
                                     HTTP_HX_REQUEST="true").content.decode()
    assert html.count("补办原因只能从选项中选择") == 1
    assert "报失回执编号" not in html
