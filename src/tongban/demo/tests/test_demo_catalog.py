"""The demo catalog is published and usable end to end with the demo accounts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.models import User
from tongban.cases import services
from tongban.cases.models import WorkItem
from tongban.cases.uploads import attach
from tongban.catalog.models import ServiceItem
from tongban.demo.seeding import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed(people=40)


def test_at_least_ten_services_across_several_departments_are_published(demo):
    published = ServiceItem.objects.filter(is_published=True)
    assert published.count() >= 10
    assert published.values("org_unit").distinct().count() >= 4


def test_the_graduate_leaving_process_has_one_parallel_stage_across_ten_offices(demo):
    config = ServiceItem.objects.get(code="graduate-leaving").current_version.config
    assert [len(stage) for stage in config["stages"]] == [10, 1]


def test_a_student_gets_a_degree_loss_proof_through_college_academic_affairs_and_print(demo):
    student = User.objects.get(username="student")
    item = ServiceItem.objects.get(code="degree-loss")
    case = services.start_application(actor=student, item=item)
    services.save_draft(actor=student, case=case, answers={"year": "2024", "reported": "否"})
    attach(actor=student, case=case, material_key="statement",
           upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"))
    case = services.submit(actor=student, case=case)
    services.decide(actor=User.objects.get(username="college"), item=WorkItem.objects.get(case=case, state="open"),
                    outcome="approve")
    services.decide(actor=User.objects.get(username="academic"), item=WorkItem.objects.get(case=case, state="open"),
                    outcome="approve", sign=True)
    case = services.decide(actor=User.objects.get(username="dept-academic"),
                           item=WorkItem.objects.get(case=case, state="open"), outcome="approve")
    assert case.status == "completed"


def test_a_resident_moves_household_in_through_station_branch_and_city(demo):
    resident = User.objects.get(username="resident")
    item = ServiceItem.objects.get(code="hukou-move-in-city")
    case = services.start_application(actor=resident, item=item)
    services.save_draft(actor=resident, case=case, answers={
        "relation": "子女", "house_delivered": "否", "address": "东城区示例路 1 号", "phone": "13800001111"})
    pdf = b"%PDF-1.4\n%%EOF\n"
    for key in ("household_book", "relation_proof"):
        attach(actor=resident, case=case, material_key=key, upload=SimpleUploadedFile(f"{key}.pdf", pdf))
    case = services.submit(actor=resident, case=case)
    assert case.status == "submitted"
    case = services.accept(actor=User.objects.get(username="clerk"), case=case, deficient=["utility_bills"])
    assert case.deficiencies == ["utility_bills"]
    # the window captures the papers (the station's approval waits for them)
    from tongban.demo.records import capture_everything

    assert capture_everything(case=case, actor=User.objects.get(username="auxiliary")) == 5
    # the bills come later (容缺): the case cannot complete without them
    services.upload_material(actor=resident, case=case, material_key="utility_bills",
                             upload=SimpleUploadedFile("bills.pdf", pdf))
    units = []
    for username in ("station", "approver", "cityapprover"):
        item_ = WorkItem.objects.get(case=case, state="open")
        units.append(item_.org_unit.code)
        case = services.decide(actor=User.objects.get(username=username), item=item_, outcome="approve", sign=True)
    assert units == ["east-1", "city-east", "city"]
    assert case.status == "completed"


def test_the_demo_officer_finds_the_security_offices_work_in_their_to_do(demo):
    from tongban.cases.workflow import workable_by

    student = User.objects.get(username="student")
    case = services.start_application(actor=student, item=ServiceItem.objects.get(code="temporary-residence"))
    services.save_draft(actor=student, case=case, answers={"dorm": "学生公寓 3 号楼"})
    case = services.submit(actor=student, case=case)
    officer = User.objects.get(username="officer")
    item = WorkItem.objects.get(case=case, state="open")
    assert workable_by(officer).filter(pk=item.pk).exists()
    assert services.decide(actor=officer, item=item, outcome="approve").status == "completed"
