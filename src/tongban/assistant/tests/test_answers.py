"""Asking through assistant.services.ask: answers name the service and quote only the
guide, say when they are not sure, refuse what is not the hall's, ask back when the
question is ambiguous, and never fail on what a person types."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.assistant import services
from tongban.assistant.models import Outcome, Question


def ask(text, actor=None, **kwargs):
    return services.ask(actor=actor, text=text, **kwargs)


def test_a_materials_question_names_the_service_and_quotes_its_materials(catalog):
    reply = ask("无犯罪证明要带什么")
    assert reply.outcome == Outcome.ANSWERED
    assert reply.service.code == "no-criminal-record"
    assert reply.part == "materials"
    assert [line.text for line in reply.lines] == ["身份证正反面"]
    assert reply.lines[0].link == "/services/no-criminal-record/#materials"
    assert reply.apply_link == "/services/no-criminal-record/apply/"


def test_a_time_question_quotes_the_promised_days_of_the_guide(catalog):
    reply = ask("在读证明多久能拿到")
    assert reply.service.code == "enrolment-proof"
    assert reply.part == "time_limit"
    assert reply.lines[0].text == "2 个工作日（法定 20 个工作日）"


def test_a_question_in_colloquial_words_finds_the_service(catalog):
    reply = ask("户口卡怎么借")
    assert reply.service.code == "card-borrow"
    assert reply.lines[0].text == "本人预约后到保卫处户籍窗口借用。"


@pytest.mark.parametrize("text", ["hkqc", "护口迁出", "hukou qianchu"])
def test_pinyin_initials_and_homophones_find_the_service(catalog, text):
    reply = ask(text)
    assert reply.outcome == Outcome.ANSWERED
    assert reply.service.code == "hukou-move-out"


@pytest.mark.parametrize("text", ["今天天气怎么样", "帮我写一下作业", "tell me a joke"])
def test_a_question_outside_the_hall_is_refused_politely(catalog, text):
    reply = ask(text)
    assert reply.outcome in (Outcome.REFUSED, Outcome.NOT_SURE)
    assert reply.service is None and reply.lines == []


def test_a_vague_question_is_not_sure_and_offers_the_closest_services_and_the_office(catalog):
    reply = ask("户口的事情问一下")
    assert reply.outcome == Outcome.NOT_SURE
    assert reply.service is None
    assert 1 <= len(reply.suggestions) <= 3
    assert reply.contact == "示例大学，电话 0000-12345678"


def test_moving_the_household_asks_in_or_out_then_answers_the_choice(catalog):
    first = ask("我要迁户口，要带什么")
    assert first.outcome == Outcome.CLARIFY
    assert [label for label, _ in first.choices] == ["迁入", "迁出"]
    out = dict(first.choices)["迁出"]
    then = ask("我要迁户口，要带什么", choice=out)
    assert then.outcome == Outcome.ANSWERED
    assert then.service.code == "hukou-move-out"
    assert then.part == "materials"
    assert then.lines[0].text == "准予迁入证明（接收函）"


def test_a_certificate_question_asks_which_among_the_published_ones(catalog):
    reply = ask("开证明")
    assert reply.outcome == Outcome.CLARIFY
    # only certificates the catalog has are offered (no residence or degree-loss proof here)
    assert [label for label, _ in reply.choices] == ["无犯罪记录证明", "在读证明"]


def test_a_forged_choice_is_ignored(catalog):
    assert ask("开证明", choice="proof:99").outcome == Outcome.CLARIFY


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "？？？", "<script>alert(1)</script>",
                                  "' OR 1=1; DROP TABLE x --", "户口卡" * 3400, "\x00借户口卡"])
def test_bad_input_gets_a_short_answer_and_is_kept_cut(catalog, text):
    reply = ask(text)
    assert reply.outcome in set(Outcome.values)
    kept = Question.objects.get(pk=reply.question_id)
    assert len(kept.text) <= 500
    assert "\x00" not in kept.text


def test_a_student_with_the_card_out_is_told_its_due_date(catalog, world):
    from tongban.loans.models import Loan, Policy

    policy = Policy.objects.create(org_unit=world.univ, service=catalog["card-borrow"])
    due = timezone.localdate() + dt.timedelta(days=3)
    Loan.objects.create(policy=policy, person=world.applicant_person, purpose="办护照",  # i18n: data
                        lent_at=timezone.now(), lent_by=world.officer, due_date=due)
    reply = ask("户口卡怎么借", actor=world.applicant)
    assert reply.personal == [f"您借用的集体户口卡（本人页）尚未归还，应于 {due.isoformat()} 前归还。"]
    assert ask("户口卡怎么借").personal == []  # nobody signed in: nothing personal


def test_a_graduate_in_storage_is_told_the_months_left(catalog, world):
    from tongban.hukou.models import HouseholdRecord, Status

    expiry = timezone.localdate() + dt.timedelta(days=100)
    HouseholdRecord.objects.update_or_create(person=world.applicant_person,
                                             defaults={"status": Status.STORED, "storage_expiry": expiry})
    reply = ask("毕业生户口暂存要什么材料", actor=world.applicant)
    assert reply.service.code == "hukou-storage"
    assert reply.personal == [f"您的户口暂存至 {expiry.isoformat()}，还剩 3 个月。"]


def test_a_restricted_person_is_told_why_and_who_lifts_it(catalog, world):
    from tongban.restrictions.services import impose

    impose(actor=None, person=world.applicant_person, kind="manual", reason="多次爽约", source="保卫处")  # i18n: data
    reply = ask("无犯罪证明要带什么", actor=world.applicant)
    assert reply.personal == ["您目前被限制预约和申请办理：多次爽约；由设置限制的部门（保卫处）解除。"]


def test_someone_elses_restriction_is_never_shown(catalog, world):
    from tongban.restrictions.services import impose

    other = world.person(name="王五")  # i18n: data
    impose(actor=None, person=other, kind="manual", reason="多次爽约")  # i18n: data
    assert ask("无犯罪证明要带什么", actor=world.applicant).personal == []
