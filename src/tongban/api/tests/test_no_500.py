"""Whatever a user or another system sends to the API, the answer is JSON and never a
server error."""

import json

import pytest

GARBAGE = ["", "abc", "-1", "99999999999999999999", "<script>", "1;DROP", "２０２６-１３-０１", "\x00", "\\u0000",
           None, True, 1e308, [], {}, {"a": [1, {"b": None}]}]
PATHS = ["1", "999999", "99999999999999999999", "-1", "abc"]
WRITES = [
    ("post", "/api/v1/services/{code}/applications",
     lambda x: {"answers": {"purpose": x, "phone": x, "name": x, "abroad": x, "x": x}, "on_behalf": x, "submit": x}),
    ("post", "/api/v1/services/{code}/applications", lambda x: {"answers": {"purpose": x}, "submit": True}),
    ("post", "/api/v1/services/{code}/applications", lambda x: x),
    ("patch", "/api/v1/applications/{n}", lambda x: {"answers": {"purpose": x, "phone": x}}),
    ("post", "/api/v1/applications/{n}/submit", lambda x: {"answers": {"purpose": x}}),
    ("post", "/api/v1/applications/{n}/withdraw", lambda x: {"reason": x}),
    ("post", "/api/v1/applications/{n}/urge", lambda x: x),
]
READS = ["/api/v1/services?q={x}&category={x}&limit={x}&offset={x}", "/api/v1/services/{x}",
         "/api/v1/applications?limit={x}&offset={x}", "/api/v1/applications/{n}", "/api/v1/me"]


@pytest.mark.parametrize("who", ["applicant", "outsider", None])
def test_garbage_never_gets_a_server_error(world, proof_service, login, client, who):
    from tongban.cases import services

    client = login(getattr(world, who)) if who else client
    client.raise_request_exception = False
    mine = services.start_application(actor=world.applicant, item=proof_service)
    for n in [*PATHS, str(mine.pk)]:
        for x in GARBAGE:
            for method, url, body in WRITES:
                answer = getattr(client, method)(url.format(code="enrolment-proof", n=n),
                                                 json.dumps(body(x)), content_type="application/json")
                assert answer.status_code < 500, (method, url, n, x, answer.status_code)
                assert answer["Content-Type"].startswith("application/json"), (url, n, x)
            for url in READS:
                answer = client.get(url.format(x=x, n=n))
                assert answer.status_code < 500, (url, n, x, answer.status_code)
