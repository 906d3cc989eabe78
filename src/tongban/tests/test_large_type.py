"""Large-type mode (适老化): the switch on every applicant page is remembered per browser
(a cookie, signed in or not) and per account (saved through the accounts service, with its
audit entry); the body class drives the CSS; staff pages keep their dense look."""

import pytest

from tongban.accounts.display import LARGE_TYPE_COOKIE, DisplayPreference
from tongban.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _body(answer) -> str:
    html = answer.content.decode()
    return html[html.index("<body"):html.index(">", html.index("<body"))]


def test_every_applicant_page_has_the_switch_and_staff_pages_do_not(world, login):
    client = login(world.officer)
    for path in ("/", "/services/", "/inbox/"):
        assert 'action="/accounts/large-type/"' in client.get(path).content.decode(), path
    staff = client.get("/workbench/")
    assert 'action="/accounts/large-type/"' not in staff.content.decode()
    assert "face-staff" in _body(staff) and "weui.min.css" not in staff.content.decode()


def test_a_visitor_without_an_account_turns_it_on_for_the_browser(client, world):
    answer = client.post("/accounts/large-type/", {"on": "1", "next": "/services/"})
    assert answer.status_code == 302 and answer["Location"] == "/services/"
    assert answer.cookies[LARGE_TYPE_COOKIE].value == "1"
    assert "large-type" in _body(client.get("/"))
    client.post("/accounts/large-type/", {"next": "/"})
    assert "large-type" not in _body(client.get("/"))
    assert not DisplayPreference.objects.exists()


def test_an_account_remembers_it_on_another_browser_with_an_audit_entry(world, client, login):
    login(world.applicant).post("/accounts/large-type/", {"on": "1", "next": "/"})
    entry = AuditEntry.objects.get(action="account.large_type")
    assert entry.actor_id == world.applicant.pk and entry.details == {"old": False, "new": True}
    client.cookies.clear()  # another phone: no cookie, the account's choice
    assert "large-type" in _body(login(world.applicant).get("/"))
    client.cookies[LARGE_TYPE_COOKIE] = "0"  # the account's saved choice wins over the cookie
    assert "large-type" in _body(client.get("/"))
    client.post("/accounts/large-type/", {"next": "/"})
    assert "large-type" not in _body(client.get("/"))
    assert AuditEntry.objects.filter(action="account.large_type").count() == 2


def test_the_same_choice_again_writes_no_second_entry(world, login):
    client = login(world.applicant)
    client.post("/accounts/large-type/", {"on": "1"})
    client.post("/accounts/large-type/", {"on": "1"})
    assert AuditEntry.objects.filter(action="account.large_type").count() == 1


def test_the_switch_goes_back_only_to_this_site_and_only_by_post(client, world):
    answer = client.post("/accounts/large-type/", {"on": "1", "next": "https://evil.example/"})
    assert answer["Location"] == "/"
    assert client.get("/accounts/large-type/").status_code == 405


def test_large_type_pages_show_fewer_header_links(world, login):
    client = login(world.officer)
    header = lambda: client.get("/").content.decode().split("</header>")[0]  # noqa: E731
    assert "/workbench/" in header() and 'class="who"' in header()
    client.post("/accounts/large-type/", {"on": "1"})
    assert "/workbench/" not in header() and 'class="who"' not in header()


def test_the_me_tab_lists_an_applicants_own_matters(world, login):
    page = login(world.applicant).get("/mine/").content.decode()
    for path in ("/cases/", "/booking/mine/", "/hukou/", "/loans/mine/", "/inbox/", "/inbox/preferences/"):
        assert f'href="{path}"' in page, path
    assert 'aria-current="page"' in page
