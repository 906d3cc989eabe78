import pytest

from tongban.accounts.services import create_user
from tongban.notify.tests import recording
from tongban.people.services import link_account

RECORDING = "tongban.notify.tests.recording.Recording"


@pytest.fixture
def recorded(settings):
    """Every outside channel goes to the recording transport; returns its list."""
    settings.NOTIFY_TRANSPORTS = {"email": RECORDING, "sms": RECORDING, "wechat": RECORDING}
    recording.reset()
    yield recording.sent
    recording.reset()


@pytest.fixture
def reachable(world):
    """A student every channel can reach: e-mail, a phone on their person record and a
    WeChat openid."""
    user = create_user(actor=None, username="wang", password="x-long-password", display_name="王同学")
    user.email = "wang@example.edu.cn"
    user.wechat_openid = "o-wang-openid"
    user.save(update_fields=["email", "wechat_openid"])
    link_account(actor=None, person=world.person(name="王同学", phone="13812345678"), user=user)
    return user
