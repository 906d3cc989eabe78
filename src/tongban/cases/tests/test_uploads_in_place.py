"""On the application page a file is uploaded or removed in place (htmx): the page
answers with its materials alone, the file listed or the reason it was refused beside
its material, and a refusal is swapped in too (base.html's htmx-config swaps 422)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import services
from tongban.cases.models import Attachment
from tongban.cases.tests.conftest import pdf
from tongban.cases.uploads import attach

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def draft(world, certificate_service):
    return services.start_application(actor=world.applicant, item=certificate_service)


def _section(answer) -> str:
    page = answer.content.decode()
    assert page.lstrip().startswith('<section class="card" id="materials"')
    assert "<html" not in page
    return page


def test_an_upload_sent_by_htmx_answers_with_the_materials_and_the_file_in_them(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/upload/",
                                         {"material": "statement", "file": pdf("声明.pdf")}, headers=HTMX)
    assert answer.status_code == 200
    page = _section(answer)
    stored = Attachment.objects.get(case=draft)
    assert f"/cases/{draft.pk}/files/{stored.pk}/" in page and "声明.pdf" in page
    assert "材料已上传" in page


def test_a_refused_upload_says_why_beside_its_material_and_keeps_nothing(world, draft, login):
    text = SimpleUploadedFile("声明.pdf", b"I lost my certificate.\n", content_type="application/pdf")
    answer = login(world.applicant).post(f"/cases/{draft.pk}/upload/",
                                         {"material": "statement", "file": text}, headers=HTMX)
    assert answer.status_code == 422
    page = _section(answer)
    assert "遗失声明：只接受 JPG 图片、PDF、PNG 图片 文件（按文件内容识别）" in page
    assert not Attachment.objects.filter(case=draft).exists()


def test_a_removal_sent_by_htmx_answers_with_the_materials_without_the_file(world, draft, login):
    stored = attach(actor=world.applicant, case=draft, material_key="statement", upload=pdf("旧的.pdf"))
    answer = login(world.applicant).post(f"/cases/{draft.pk}/files/{stored.pk}/remove/", headers=HTMX)
    assert answer.status_code == 200
    page = _section(answer)
    assert "旧的.pdf" not in page and "文件已删除" in page
    assert not Attachment.objects.filter(pk=stored.pk).exists()


def test_without_htmx_the_upload_still_goes_back_to_the_page(world, draft, login):
    answer = login(world.applicant).post(f"/cases/{draft.pk}/upload/", {"material": "statement", "file": pdf()})
    assert (answer.status_code, answer["Location"]) == (302, f"/cases/{draft.pk}/edit/")


def test_the_page_tells_htmx_to_swap_a_refusal():
    """Without it htmx 2 drops a 422: an autosave's or an upload's error would never show."""
    from django.template.loader import render_to_string

    page = render_to_string("base.html")
    assert '"code": "(400|422)", "swap": true' in page


def _autosave(client, case, answers: dict, shown: str, materials: str):
    return client.post(f"/cases/{case.pk}/edit/", {**answers, "_shown": shown, "_materials": materials},
                       headers=HTMX)


def test_an_answer_that_shows_a_field_and_a_material_redraws_both(world, draft, login):
    client = login(world.applicant)
    answer = _autosave(client, draft, {"year": "2024", "reported": "是"},
                       shown="name,id_number,year,reported", materials="statement")
    page = answer.content.decode()
    assert answer.status_code == 200 and 'id="fields"' in page and 'name="newspaper"' in page
    assert 'id="materials" aria-live="polite" hx-swap-oob="true"' in page and 'aria-label="登报剪报"' in page
    assert 'name="_materials" value="statement,clipping"' in page


def test_an_answer_that_only_changes_the_materials_redraws_them_alone(world, certificate_service, login):
    from tongban.catalog.models import Material
    from tongban.catalog.services import publish

    Material.objects.create(item=certificate_service, order=9, key="no_ad", name="未登报说明", core=False,
                            condition='reported == "否"')
    publish(actor=None, item=certificate_service)
    certificate_service.refresh_from_db()
    case = services.start_application(actor=world.applicant, item=certificate_service)
    answer = _autosave(login(world.applicant), case, {"year": "2024", "reported": "否"},
                       shown="name,id_number,year,reported", materials="statement")
    assert answer.status_code == 200 and answer["HX-Reswap"] == "none"
    page = answer.content.decode()
    assert 'id="fields"' not in page and 'hx-swap-oob="true"' in page and "未登报说明" in page


def test_an_answer_that_changes_nothing_shown_is_answered_with_nothing(world, draft, login):
    answer = _autosave(login(world.applicant), draft, {"year": "2024", "reported": "否"},
                       shown="name,id_number,year,reported", materials="statement")
    assert answer.status_code == 204
