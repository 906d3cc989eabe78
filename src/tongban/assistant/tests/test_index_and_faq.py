"""The index follows the catalog and the FAQ entries; a build that fails keeps the last
good index answering and tells the staff; FAQ entries are the service admins' to edit,
within their units, on the trail."""

import pytest

from tongban.accounts.roles import Role
from tongban.accounts.services import grant_role
from tongban.assistant import index, services
from tongban.assistant.models import FAQ
from tongban.audit.models import AuditEntry
from tongban.catalog.models import ServiceItem, Step
from tongban.catalog.services import publish, unpublish
from tongban.lib.errors import NotAllowed
from tongban.notify.models import Message


def test_a_service_published_later_is_answered_at_once(catalog, world, django_capture_on_commit_callbacks):
    assert services.ask(actor=None, text="户口簿补领要什么材料").outcome == "not_sure"
    item = ServiceItem.objects.create(code="book-reissue", name="户口簿补领", org_unit=world.univ,  # i18n: data
                                      conditions="户主申请。")  # i18n: data
    Step.objects.create(item=item, order=1, key="officer", name="审核", role=Role.OFFICER)  # i18n: data
    with django_capture_on_commit_callbacks(execute=True):
        publish(actor=None, item=item)
    reply = services.ask(actor=None, text="户口簿补领要什么材料")
    assert reply.outcome == "answered" and reply.service.code == "book-reissue"


def test_an_unpublished_service_is_no_longer_answered(catalog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unpublish(actor=None, item=catalog["enrolment-proof"])
    reply = services.ask(actor=None, text="在读证明多久能拿到")
    assert reply.service is None or reply.service.code != "enrolment-proof"


def test_a_failed_build_keeps_the_last_index_and_tells_the_staff(catalog, world, monkeypatch):
    assert services.ask(actor=None, text="户口卡怎么借").service.code == "card-borrow"
    grant_role(actor=None, user=world.outsider, role=Role.SERVICE_ADMIN, org_unit=world.univ)

    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr(index, "build", broken)
    index.mark_stale()
    reply = services.ask(actor=None, text="户口卡怎么借")
    assert reply.outcome == "answered" and reply.service.code == "card-borrow"
    told = Message.objects.filter(event="assistant.index_failed")
    assert {m.recipient_id for m in told} >= {world.outsider.pk, world.sysadmin.pk}
    assert "disk full" in told.first().body


def test_with_no_index_ever_built_the_assistant_is_not_sure(db, monkeypatch):
    index.reset()
    monkeypatch.setattr(index, "build", lambda: (_ for _ in ()).throw(RuntimeError("no catalog")))
    assert services.ask(actor=None, text="户口卡怎么借").outcome == "not_sure"
    index.reset()


def test_a_service_admin_adds_an_faq_entry_that_answers_on_the_trail(catalog, world,
                                                                     django_capture_on_commit_callbacks):
    grant_role(actor=None, user=world.outsider, role=Role.SERVICE_ADMIN, org_unit=world.univ)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_faq(actor=world.outsider, faq=FAQ(
            service=catalog["card-borrow"], question="户口卡可以别人代借吗？",  # i18n: data
            answer="须本人借用。"))  # i18n: data
    reply = services.ask(actor=None, text="户口卡能让同学代借吗")
    assert reply.service.code == "card-borrow"
    assert [line.text for line in reply.lines] == ["须本人借用。"]  # i18n: data
    entry = AuditEntry.objects.get(action="assistant.faq_created")
    assert entry.actor_id == world.outsider.pk


def test_no_one_edits_the_faq_of_a_service_outside_their_units(catalog, world):
    grant_role(actor=None, user=world.outsider, role=Role.SERVICE_ADMIN, org_unit=world.law)
    with pytest.raises(NotAllowed):
        services.save_faq(actor=world.outsider, faq=FAQ(service=catalog["card-borrow"],
                                                        question="问", answer="答"))  # i18n: data
    assert not FAQ.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="assistant.").exists()
