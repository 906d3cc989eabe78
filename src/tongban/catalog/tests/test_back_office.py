"""Service admins configure services in the back office (inline tables), preview the
form with its conditions working, and publish; others do not get in."""

import pytest

from tongban.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db


def test_a_service_admin_sees_the_catalog_and_a_clerk_does_not(service_admin, world, login):
    assert login(service_admin).get("/admin/catalog/serviceitem/").status_code == 200
    world.clerk.is_staff = True
    world.clerk.save()
    assert login(world.clerk).get("/admin/catalog/serviceitem/").status_code == 403


def test_the_change_page_has_inline_tables_for_fields_materials_and_steps(service_admin, draft, login):
    page = login(service_admin).get(f"/admin/catalog/serviceitem/{draft.pk}/change/").content.decode()
    for prefix in ("fields-TOTAL_FORMS", "materials-TOTAL_FORMS", "steps-TOTAL_FORMS"):
        assert prefix in page
    assert "预览表单" in page and "发布新版本" in page


def test_adding_a_step_through_the_inline_table(service_admin, draft, login, world):
    client = login(service_admin)
    page = client.get(f"/admin/catalog/serviceitem/{draft.pk}/change/")
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, list | dict)}
    data.update({"audience": "[]", "ways": "[]", "org_unit": draft.org_unit_id})
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = len(fs.forms)
        data[f"{fs.prefix}-INITIAL_FORMS"] = fs.initial_form_count()
        for i, f in enumerate(fs.forms):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if isinstance(value, bool):
                    if value:
                        data[f"{fs.prefix}-{i}-{name}"] = "on"
                    continue
                data[f"{fs.prefix}-{i}-{name}"] = "" if value is None else value
    n = data["steps-TOTAL_FORMS"]
    data["steps-TOTAL_FORMS"] = n + 1
    data.update({f"steps-{n}-stage": 3, f"steps-{n}-order": 1, f"steps-{n}-key": "archive",
                 f"steps-{n}-name": "归档", f"steps-{n}-role": "officer", f"steps-{n}-unit_rule": "service_unit",
                 f"steps-{n}-time_limit_days": 1, f"steps-{n}-item": draft.pk})
    answer = client.post(f"/admin/catalog/serviceitem/{draft.pk}/change/", data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    assert list(draft.steps.values_list("key", flat=True)) == ["check", "police", "archive"]


def test_publishing_from_the_back_office_reports_the_row_at_fault(service_admin, draft, login):
    from tongban.catalog.models import Step

    Step.objects.filter(item=draft, key="police").update(role="")
    client = login(service_admin)
    answer = client.post(f"/admin/catalog/serviceitem/{draft.pk}/publish/", follow=True)
    assert "未发布：审批步骤第 2 行（police）：未选择办理角色" in answer.content.decode()
    Step.objects.filter(item=draft, key="police").update(role="clerk")
    answer = client.post(f"/admin/catalog/serviceitem/{draft.pk}/publish/", follow=True)
    assert "已发布《身份证补办》第 1 版。" in answer.content.decode()
    assert ServiceItem.objects.get(pk=draft.pk).is_published


def test_the_preview_shows_a_conditional_field_once_its_condition_holds(service_admin, draft, login):
    client = login(service_admin)
    page = client.get(f"/catalog/preview/{draft.pk}/").content.decode()
    assert "补办原因" in page and "报失回执编号" not in page
    answer = client.post(f"/catalog/preview/{draft.pk}/", {"reason": "遗失"}, HTTP_HX_REQUEST="true")
    assert "报失回执编号" in answer.content.decode()
    answer = client.post(f"/catalog/preview/{draft.pk}/", {"reason": "损坏"}, HTTP_HX_REQUEST="true")
    assert "旧身份证" in answer.content.decode() and "报失回执编号" not in answer.content.decode()


def test_the_preview_of_a_broken_draft_says_what_is_wrong(service_admin, draft, login):
    from tongban.catalog.models import Step

    Step.objects.filter(item=draft, key="police").update(role="")
    answer = login(service_admin).get(f"/catalog/preview/{draft.pk}/")
    assert answer.status_code == 422 and "未选择办理角色" in answer.content.decode()


def test_the_preview_is_for_service_admins(world, draft, login):
    assert login(world.applicant).get(f"/catalog/preview/{draft.pk}/").status_code == 403
