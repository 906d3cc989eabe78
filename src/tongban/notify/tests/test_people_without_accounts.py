"""A person with no account yet (an imported freshman) is reached by a text to the phone
on their record, written with the act that causes it and delivered by the relay; an
opt-out recorded by staff, for the person or for the phone, stops every text to them,
queued or not, and an account's own choices still rule its messages."""

from collections import Counter

import pytest
from django.db import transaction

from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.notify import relay
from tongban.notify.models import Message, OptOut
from tongban.notify.services import (
    Outgoing,
    Reach,
    lift_opt_out,
    notify_each,
    record_opt_out,
    set_preference,
)

PHONE = "13912345678"


def _tell(*people, key="fact"):
    tally = Counter()
    with transaction.atomic():
        notify_each(event="notify.test", tally=tally, outgoing=[
            Outgoing.for_person(p, f"{key}:{p.pk}", {"time": "10:00"}) for p in people])
    return tally


@pytest.fixture
def freshman(world):
    return world.person(name="新同学", phone=PHONE)


@pytest.fixture
def texts_for_account_messages():
    """notify.test is an account message (inbox and e-mail by default); for these tests
    it goes by text too, as a reminder to a freshman does."""
    from tongban.notify import events

    kind = events.KINDS["account"]
    events.KINDS["account"] = events.Kind(kind.key, kind.label, (*kind.default_channels, "sms"))
    yield
    events.KINDS["account"] = kind


pytestmark = pytest.mark.usefixtures("texts_for_account_messages")


def test_a_person_without_an_account_is_texted_at_the_phone_on_their_record(freshman, recorded):
    assert _tell(freshman) == Counter({Reach.SMS: 1})
    message = Message.objects.get()
    assert (message.recipient, message.person, message.channel, message.status) == (None, freshman, "sms", "pending")
    assert message.params == {"name": "新同学", "time": "10:00"}
    assert relay.relay().sent == 1
    assert [(o.address, o.params["name"]) for o in recorded] == [(PHONE, "新同学")]


def test_the_same_fact_told_again_writes_no_second_text(freshman, recorded):
    _tell(freshman)
    _tell(freshman)
    assert Message.objects.count() == 1


def test_a_text_written_in_a_transaction_that_rolls_back_is_not_kept(freshman):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_each(event="notify.test", outgoing=[Outgoing.for_person(freshman, "k", {"time": "1"})])
        raise RuntimeError("the act failed")
    assert not Message.objects.exists()


def test_a_person_with_no_phone_is_counted_as_not_reachable(world):
    assert _tell(world.person(name="无手机")) == Counter({Reach.NONE: 1})
    assert not Message.objects.exists()


def test_a_bound_person_is_told_through_their_account_and_its_choices(world, freshman, recorded):
    assert _tell(world.applicant_person) == Counter({Reach.INBOX: 1})
    assert set(Message.objects.values_list("recipient", "person", "channel")) == {(world.applicant.pk, None, "inbox")}


def test_an_opt_out_of_the_person_stops_their_texts(world, freshman):
    record_opt_out(actor=world.officer, person=freshman, reason="本人来电要求不再接收短信")
    assert _tell(freshman) == Counter({Reach.NONE: 1})
    entry = AuditEntry.objects.get(action="notify.opt_out")
    assert entry.summary == "登记退订短信：新同学" and entry.actor == world.officer


def test_an_opt_out_of_the_phone_stops_texts_to_whoever_has_that_number(world, freshman, reachable):
    set_preference(actor=reachable, kind="account", channels=["sms"])
    record_opt_out(actor=world.sysadmin, phone="139 1234 5678", reason="回复退订")
    other = world.person(name="同号", phone=PHONE)
    assert _tell(freshman, other) == Counter({Reach.NONE: 2})
    record_opt_out(actor=world.sysadmin, phone="13812345678", reason="回复退订")  # the account holder's phone
    _tell(reachable.person)
    assert "sms" not in set(Message.objects.filter(recipient=reachable).values_list("channel", flat=True))


def test_an_opt_out_recorded_after_the_text_was_queued_stops_it_at_the_relay(world, freshman, recorded):
    _tell(freshman)
    record_opt_out(actor=world.officer, person=freshman, reason="本人要求")
    assert relay.relay().dead == 1
    message = Message.objects.get()
    assert (message.status, message.error, recorded) == ("dead", "该手机号或人员已登记退订短信，未发送", [])


def test_lifting_an_opt_out_lets_texts_go_again_and_is_on_the_trail(world, freshman):
    opt_out = record_opt_out(actor=world.officer, person=freshman, reason="本人要求")
    lift_opt_out(actor=world.officer, opt_out=opt_out)
    assert _tell(freshman) == Counter({Reach.SMS: 1})
    assert AuditEntry.objects.filter(action="notify.opt_in").count() == 1


def test_recording_an_opt_out_twice_keeps_one(world, freshman):
    first = record_opt_out(actor=world.officer, person=freshman, reason="本人要求")
    assert record_opt_out(actor=world.officer, person=freshman, reason="又来电") == first
    assert OptOut.objects.count() == 1 and AuditEntry.objects.filter(action="notify.opt_out").count() == 1


def test_an_opt_out_for_someone_outside_ones_units_is_refused(world):
    stranger = world.person(name="外院", unit=world.law, phone=PHONE)
    with pytest.raises(NotAllowed):
        record_opt_out(actor=world.college_admin, person=stranger, reason="本人要求")
    with pytest.raises(NotAllowed):
        record_opt_out(actor=world.college_admin, phone=PHONE, reason="回复退订")  # bare numbers: admins only
    assert not OptOut.objects.exists()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"reason": " "}, "reason", "请填写退订原因"),
    ({"reason": "x"}, "phone", "请填写人员或手机号（二选一）"),
    ({"reason": "x", "phone": "12345"}, "phone", "手机号应为 11 位数字"),
])
def test_an_opt_out_without_what_it_needs_is_refused_naming_the_field(world, fields, field, message):
    with pytest.raises(ApplicationError) as caught:
        record_opt_out(actor=world.sysadmin, **fields)
    assert (caught.value.field, caught.value.message) == (field, message)


def _admin(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    return login(world.sysadmin)


def test_staff_record_an_opt_out_of_a_number_in_the_back_office(world, login, freshman):
    client = _admin(world, login)
    answer = client.post("/admin/notify/optout/add/", {"person": "", "phone": PHONE, "reason": "回复 TD"})
    assert answer.status_code == 302
    opt_out = OptOut.objects.get()
    assert (opt_out.person, opt_out.phone_masked, opt_out.recorded_by) == (None, "139****5678", world.sysadmin)
    assert PHONE not in client.get("/admin/notify/optout/").content.decode()
    assert _tell(freshman) == Counter({Reach.NONE: 1})


def test_the_back_office_refuses_an_opt_out_naming_no_one_and_keeps_nothing(world, login):
    page = _admin(world, login).post("/admin/notify/optout/add/", {"person": "", "phone": "", "reason": "x"})
    assert page.status_code == 200 and "请填写人员或手机号（二选一）" in page.content.decode()
    assert not OptOut.objects.exists()


def test_staff_lift_an_opt_out_in_the_back_office_onto_the_trail(world, login, freshman):
    opt_out = record_opt_out(actor=world.officer, person=freshman, reason="本人要求")
    answer = _admin(world, login).post("/admin/notify/optout/", {
        "action": "lift", "_selected_action": [opt_out.pk]})
    assert answer.status_code == 302 and not OptOut.objects.exists()
    assert AuditEntry.objects.filter(action="notify.opt_in", actor=world.sysadmin).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_one_opt_out_at_once_keep_one_row_and_one_entry(world):
    from tongban.conftest import at_once, failures

    person = world.person(name="新同学", phone=PHONE)
    outcomes = at_once(2, lambda n: record_opt_out(actor=world.officer, person=person, reason=f"第 {n} 次来电"))
    assert failures(outcomes) == []
    assert OptOut.objects.count() == 1 and AuditEntry.objects.filter(action="notify.opt_out").count() == 1


def test_the_outbox_lists_a_text_to_a_person_without_an_account_by_their_name(world, login, freshman):
    _tell(freshman)
    page = _admin(world, login).get("/admin/notify/message/?q=新同学").content.decode()
    assert "新同学" in page and PHONE not in page
