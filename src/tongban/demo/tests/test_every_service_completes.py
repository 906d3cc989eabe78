"""Every published demo service can be walked to 办结 with demo accounts: a demo
person who fits the service applies with valid answers and materials (through a
booking where the service needs one), the window accepts where it must, and every
step is decided by someone holding it, all through the service functions. A demo
service added without a walk here fails the first test."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.accounts.models import Membership, User
from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role
from tongban.cases import services, workflow
from tongban.cases.models import WorkItem
from tongban.cases.uploads import attach
from tongban.catalog.forms_runtime import applicable_materials
from tongban.catalog.models import ServiceItem
from tongban.demo.seeding import seed
from tongban.hukou.models import HouseholdRecord, Status, WaiverAgreement
from tongban.hukou.services import correct
from tongban.people.models import Category, Person
from tongban.people.services import link_account

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
STUDENTS = (Category.UNDERGRADUATE, Category.GRADUATE)

# code -> (the kind of person who applies, the household status their record has,
#          answers beyond the generic ones)
WALKS = {
    "hukou-move-in": (STUDENTS, Status.AWAITING, {}),
    "hukou-waiver": (STUDENTS, Status.AWAITING, {"agree": "是"}),
    "degree-loss": (STUDENTS, None, {"year": 2024, "reported": "否"}),
    "graduate-leaving": (STUDENTS, None, {}),
    "no-criminal-record": ((Category.RESIDENT,), None, {"purpose": "出国"}),
    "id-card-reissue": (STUDENTS, None, {"reason": "遗失"}),
    "enrolment-proof": (STUDENTS, None, {}),
    "hukou-move-in-city": ((Category.RESIDENT,), None, {"house_delivered": "是"}),
    "temporary-residence": (STUDENTS, Status.WAIVED, {}),
    "hukou-storage": ((Category.GRADUATE,), Status.IN_SCHOOL, {"months": 3}),
    "hukou-move-out": (STUDENTS, Status.IN_SCHOOL, {}),
    "card-borrow": (STUDENTS, Status.IN_SCHOOL, {}),
    "leave-school-proof": ((Category.STAFF,), Status.AWAITING, {}),
    "return-to-campus": (STUDENTS, None, {"reason": "返校上课"}),
}

GENERIC = {"text": "示例", "address": "示例市示例路 1 号", "date": "2026-09-01", "number": 1, "yesno": "否"}


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed(people=60)


# Forms sent in campaigns (要我办) are filled, not applied for (an application is refused):
# their walk is campaigns' own (campaigns/tests/test_demo.py).
CAMPAIGN_FORMS = {"holiday-whereabouts"}


def test_every_published_demo_service_has_a_walk(demo):
    published = set(ServiceItem.objects.filter(is_published=True).values_list("code", flat=True))
    assert published - CAMPAIGN_FORMS == set(WALKS)
    assert set(ServiceItem.objects.filter(code__in=CAMPAIGN_FORMS).values_list("effect", flat=True)) == {
        "campaigns.form"}


def _applicant(categories, status) -> User:
    """A demo person of that kind (and household status), bound to a fresh account."""
    people = Person.objects.filter(category__in=categories, account=None).order_by("id")
    if status is not None:
        people = people.filter(pk__in=HouseholdRecord.objects.filter(status=status).values("person_id"))
    person = people.first()
    assert person is not None, f"the demo has no {categories} person with a {status} household"
    user = create_user(actor=None, username=f"walker-{person.pk}", password="x-long-password",
                       display_name=person.name)
    grant_role(actor=None, user=user, role=Role.APPLICANT, org_unit=person.org_unit)
    link_account(actor=None, person=person, user=user)
    return user


def _answers(config: dict, extra: dict) -> dict:
    answers = {}
    for spec in config["fields"]:
        if spec["prefill"]:
            continue  # from the person record
        if spec["key"] in extra:
            answers[spec["key"]] = extra[spec["key"]]
        elif spec["type"] == "choice":
            answers[spec["key"]] = spec["options"][0]
        else:
            answers[spec["key"]] = GENERIC.get(spec["type"], "示例")
    if "agreement_version" in answers:
        answers["agreement_version"] = WaiverAgreement.objects.get(active=True).version
    return answers


def _book(user: User, item: ServiceItem, case) -> None:
    from tongban.booking import services as booking
    from tongban.booking.models import Slot
    from tongban.lib.errors import ApplicationError

    for slot in Slot.objects.filter(resource__services=item, start__gt=timezone.now()).order_by("start")[:40]:
        try:
            booking.book(actor=user, slot=slot, service=item, case=case)
            return
        except ApplicationError:
            continue  # too soon, not yet open: the next one
    pytest.fail(f"no bookable slot for {item.code}")


def _decide_every_step(case):
    while case.status == "in_approval":
        for item in WorkItem.objects.filter(case=case, state=WorkItem.State.OPEN).select_related("org_unit"):
            holders = [u for u in workflow.holders(item) if u.pk not in workflow.parties(case)]
            assert holders, f"{case.item.code}: nobody holds {item.step_name} in {item.org_unit.name}"
            case = services.decide(actor=holders[0], item=item, outcome="approve", sign=item.needs_signature)
            if case.status != "in_approval":
                break
    return case


@pytest.mark.parametrize("code", sorted(WALKS))
def test_a_demo_service_is_walked_to_completion_by_demo_accounts(demo, code):
    categories, status, extra = WALKS[code]
    item = ServiceItem.objects.get(code=code)
    user = _applicant(categories, status)
    if code == "hukou-storage":  # the office records the graduation before storage opens
        rec = HouseholdRecord.objects.get(person__account=user)
        correct(actor=User.objects.get(username="officer"), rec=rec, status=Status.IN_SCHOOL, reason="登记毕业日期",
                graduation_date=(timezone.localdate() - dt.timedelta(days=10)).isoformat())
    case = services.start_application(actor=user, item=item)
    answers = _answers(case.config, extra)
    services.save_draft(actor=user, case=case, answers=answers)
    for material in applicable_materials(case.config, {**case.answers, **answers}):
        if material["required"]:
            pdf_ok = "pdf" in material["file_types"]
            attach(actor=user, case=case, material_key=material["key"],
                   upload=SimpleUploadedFile("m.pdf" if pdf_ok else "m.png", PDF if pdf_ok else PNG,
                                             content_type="application/pdf" if pdf_ok else "image/png"))
    if item.booking_required:
        _book(user, item, case)
    case = services.submit(actor=user, case=case)
    if case.status == "submitted":  # the window accepts first
        clerk = (Membership.objects.filter(role__in=(Role.CLERK, Role.OFFICER), org_unit=case.org_unit,
                                           user__is_active=True).select_related("user").first())
        assert clerk is not None, f"{code}: nobody accepts at {case.org_unit.name}"
        case = services.accept(actor=clerk.user, case=case)
        from tongban.demo.records import capture_everything

        capture_everything(case=case, actor=clerk.user)  # the papers in the archive before a level approves
    case = _decide_every_step(case)
    assert case.status == "completed", (code, case.status)
    if code == "return-to-campus":  # seed 002: the approved return goes to the gate system
        from tongban.interop.models import Delivery

        pushed = Delivery.objects.get(subject=f"cases.case/{case.pk}", subscription__client__name="门禁系统")
        assert pushed.subscription.url == "http://127.0.0.1:9001/"
