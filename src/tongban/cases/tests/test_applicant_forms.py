"""The applicant's pages read what they are sent through Django forms: a bad pick of
whom to apply for, a forged button, an upload without a file or for no material of
the service, a withdrawal reason too long: each is answered with its page again, the
message at the field, what was typed kept, and nothing written."""

import pytest

from tongban.cases import services
from tongban.cases.models import Attachment, Case, Status
from tongban.cases.tests.conftest import pdf, said_at
from tongban.cases.uploads import attach

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world, certificate_service):
    case = services.start_application(actor=world.applicant, item=certificate_service)
    attach(actor=world.applicant, case=case, material_key="statement", upload=pdf())
    return case


@pytest.mark.parametrize("relation", ["0", "abc"])
def test_a_garbled_pick_of_whom_to_apply_for_is_answered_at_the_field(world, certificate_service, login,
                                                                     relation):
    answer = login(world.applicant).post("/services/degree-loss/apply/", {"relation": relation})
    assert answer.status_code == 400
    assert said_at(answer, "id_relation") == ["请从已核实的亲属中选择办理对象"]
    assert not Case.objects.exists()


def test_someone_elses_relation_is_refused_at_the_field_on_the_guide(world, certificate_service, login):
    from tongban.people.services import add_relation

    child = world.person(name="李小宝")
    others = add_relation(actor=None, person=world.person(name="路人"), relative=child, kind="child", verified=True)
    answer = login(world.applicant).post("/services/degree-loss/apply/", {"relation": others.pk})
    assert answer.status_code == 400
    assert said_at(answer, "id_relation") == ["只能为已核实亲属关系的家人申请"]
    assert not Case.objects.exists()


def test_a_forged_button_on_the_form_keeps_what_was_typed_and_saves_nothing(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/edit/", {"action": "delete", "year": "2019"})
    assert answer.status_code == 400
    assert said_at(answer, "id_action") == ["请点击“保存草稿”或“提交申请”"]
    assert 'value="2019"' in answer.content.decode()
    assert "year" not in Case.objects.get(pk=draft.pk).answers


def test_an_upload_without_a_file_is_answered_beside_its_material(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/upload/", {"material": "statement",
                                                                        "answer__year": "2019"})
    assert answer.status_code == 400
    assert said_at(answer, "id_file") == ["请选择要上传的文件"]
    page = answer.content.decode()
    assert page.index('value="statement"') < page.index('id="id_file_error"')  # beside its material
    assert 'value="2019"' in page  # the answers carried along are kept as the draft, as before
    assert Attachment.objects.filter(case=draft).count() == 1


def test_an_upload_for_no_material_of_the_service_is_refused_naming_the_field(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/upload/", {"material": "passport",
                                                                        "file": pdf()})
    assert answer.status_code == 400
    assert said_at(answer, "id_material") == ["该事项没有这项材料"]
    assert Attachment.objects.filter(case=draft).count() == 1


def test_a_withdrawal_reason_too_long_is_answered_at_the_field_with_the_reason_kept(world, draft, login):
    reason = "因" * 501
    answer = login(world.applicant).post(f"/cases/{draft.pk}/withdraw/", {"reason": reason})
    assert answer.status_code == 400
    assert said_at(answer, "id_reason") == ["原因不能超过 500 字"]
    assert f">\n{reason}</textarea>" in answer.content.decode()
    assert Case.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_withdrawal_with_a_reason_withdraws(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/withdraw/", {"reason": "不需要了"})
    assert answer.status_code == 302 and Case.objects.get(pk=draft.pk).status == Status.WITHDRAWN
