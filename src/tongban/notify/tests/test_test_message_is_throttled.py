"""The test message (each text of it paid for by the office) goes out at most three
times an hour per account; a fourth press, from the page or a forged POST, is refused
with a message and writes nothing; another account has its own three; an hour later
it goes again."""

import time

import pytest

from tongban.lib.errors import ApplicationError
from tongban.notify.models import Message
from tongban.notify.services import TEST_PER_HOUR, send_test_message

REFUSED = "测试通知每小时最多发送 3 次，请稍后再试。"


def test_the_fourth_test_message_within_an_hour_is_refused(reachable, recorded):
    assert TEST_PER_HOUR == 3
    for _ in range(3):
        send_test_message(actor=reachable)
    sent = Message.objects.filter(recipient=reachable).count()
    with pytest.raises(ApplicationError) as caught:
        send_test_message(actor=reachable)
    assert (caught.value.code, caught.value.message) == ("too_many_tests", REFUSED)
    assert Message.objects.filter(recipient=reachable).count() == sent


def test_the_page_says_why_the_test_message_was_refused(reachable, login, recorded):
    client = login(reachable)
    for _ in range(3):
        client.post("/inbox/test/")
    sent = Message.objects.count()
    answer = client.post("/inbox/test/", follow=True)
    assert answer.status_code == 200 and REFUSED in answer.content.decode()
    assert Message.objects.count() == sent


def test_each_account_has_its_own_allowance(world, reachable, recorded):
    for _ in range(3):
        send_test_message(actor=reachable)
    send_test_message(actor=world.applicant)
    assert Message.objects.filter(recipient=world.applicant).exists()


def test_the_allowance_comes_back_after_the_hour(reachable, recorded, monkeypatch):
    from django.core.cache.backends import locmem

    for _ in range(3):
        send_test_message(actor=reachable)
    later = time.time() + 3601
    monkeypatch.setattr(locmem.time, "time", lambda: later)  # the cache's clock, an hour on
    send_test_message(actor=reachable)
