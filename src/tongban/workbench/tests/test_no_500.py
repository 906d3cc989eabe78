"""Whatever a user or another system sends to the household, booking, loan and
restriction pages, the answer is never a server error."""

import pytest

GARBAGE = ["", "abc", "-1", "99999999999999999999", "<script>", "1;DROP", "２０２６-１３-０１", "\x00"]

GETS = [
    "/hukou/", "/hukou/waiver/", "/hukou/waiver/{x}.pdf", "/hukou/move-out-notice.pdf",
    "/workbench/hukou/?college={x}&status={x}&q={x}&year={x}&expiring={x}&page={x}",
    "/workbench/hukou/overview/?format={x}", "/workbench/hukou/jobs/{n}/", "/workbench/hukou/{n}/",
    "/booking/", "/booking/{n}/?service={x}&case={x}", "/booking/mine/", "/booking/mine/{n}/",
    "/workbench/booking/?resource={x}&date={x}", "/workbench/loans/?tab={x}&q={x}&page={x}&format={x}",
    "/workbench/loans/?booking={x}&student_number={x}", "/loans/mine/", "/workbench/restrictions/?all={x}&q={x}",
    "/archive/verify/", "/cases/{n}/result.pdf",
]
POSTS = [
    ("/hukou/waiver/", {"version": "{x}", "agree": "{x}"}),
    ("/workbench/hukou/batch/", {"kind": "{x}", "selected": "{x}", "college": "{x}"}),
    ("/workbench/hukou/{n}/", {"status": "{x}", "reason": "{x}", "issue_date": "{x}", "storage_expiry": "{x}"}),
    ("/booking/{n}/", {"slot": "{x}", "service": "{x}", "case": "{x}"}),
    ("/booking/mine/{n}/cancel/", {"reason": "{x}"}),
    ("/booking/mine/{n}/reschedule/", {"slot": "{x}"}),
    ("/workbench/booking/walk-in/", {"resource": "{x}", "student_number": "{x}", "service": "{x}"}),
    ("/workbench/booking/{n}/check-in/", {}),
    ("/workbench/loans/", {"student_number": "{x}", "policy": "{x}", "purpose": "{x}", "booking": "{x}"}),
    ("/workbench/loans/{n}/return/", {"back": "{x}"}),
    ("/workbench/restrictions/", {"student_number": "{x}", "reason": "{x}", "blocks": "{x}"}),
    ("/workbench/restrictions/{n}/lift/", {"reason": "{x}"}),
]


@pytest.mark.parametrize("who", ["applicant", "officer", "college_admin", "outsider"])
def test_garbage_never_gets_a_server_error(world, login, who):
    client = login(getattr(world, who))
    client.raise_request_exception = False
    for x in GARBAGE:
        for n in ("1", "999999"):
            for url in GETS:
                response = client.get(url.format(x=x, n=n))
                assert response.status_code < 500, (url, x, response.status_code)
            for url, data in POSTS:
                response = client.post(url.format(n=n, x=x), {k: v.format(x=x) for k, v in data.items()})
                assert response.status_code < 500, (url, x, response.status_code)


def test_a_nul_character_is_refused_before_any_view(world, login):
    client = login(world.officer)
    assert client.get("/workbench/hukou/", {"q": "a\x00b"}).status_code == 400
    assert client.post("/workbench/restrictions/", {"reason": "x\x00"}).status_code == 400
