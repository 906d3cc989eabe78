"""Whatever a user or another system sends to the API, the answer is JSON and never a
server error."""

import json
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

GARBAGE = ["", "abc", "-1", "99999999999999999999", "<script>", "1;DROP", "２０２６-１３-０１", "\x00", "\\u0000",
           "\ud800", "NaN", "Infinity", "1e5000", "9" * 3000, "x" * 3000, None, True, 10 ** 30, 1e300, [], {},
           {"a": [1, {"b": None}]}]
PATHS = ["1", "999999", "99999999999999999999", "-1", "abc"]
SERVICES = ("enrolment-proof", "degree-loss")
ANSWERS = ("purpose", "phone", "name", "abroad", "year", "id_number", "reported", "newspaper", "x")
WRITES = [
    ("post", "/api/v1/services/{code}/applications",
     lambda x: {"answers": dict.fromkeys(ANSWERS, x), "on_behalf": x, "submit": x}),
    ("post", "/api/v1/services/{code}/applications", lambda x: {"answers": dict.fromkeys(ANSWERS[:-1], x),
                                                                "submit": True}),
    ("post", "/api/v1/services/{code}/applications", lambda x: x),
    ("patch", "/api/v1/applications/{n}", lambda x: {"answers": dict.fromkeys(ANSWERS[:-1], x)}),
    ("post", "/api/v1/applications/{n}/submit", lambda x: {"answers": dict.fromkeys(ANSWERS[:-1], x)}),
    ("post", "/api/v1/applications/{n}/withdraw", lambda x: {"reason": x}),
    ("post", "/api/v1/applications/{n}/urge", lambda x: x),
]
READS = ["/api/v1/services?q={x}&category={x}", "/api/v1/services?limit={x}", "/api/v1/services?offset={x}",
         "/api/v1/services/{x}", "/api/v1/applications?limit={x}", "/api/v1/applications?offset={x}",
         "/api/v1/applications/{n}", "/api/v1/me"]


def _body(value) -> str:
    # json.dumps writes a lone surrogate as its escape, as another system's JSON would
    return json.dumps(value)


@pytest.mark.parametrize("who", ["applicant", "outsider", None])
def test_garbage_never_gets_a_server_error(world, proof_service, certificate_service, login, client, who):
    from tongban.cases import services

    client = login(getattr(world, who)) if who else client
    client.raise_request_exception = False

    def json_answer(answer, *what):
        assert answer.status_code < 500, (*what, answer.status_code)
        assert answer["Content-Type"].startswith("application/json"), what

    for x in GARBAGE:
        for code, item in zip(SERVICES, (proof_service, certificate_service), strict=True):
            # a fresh draft of the applicant's for each value: one refused or withdrawn
            # before would stop every later write at its state
            mine = services.start_application(actor=world.applicant, item=item)
            for n in [*PATHS, str(mine.pk)]:
                for method, url, body in WRITES:
                    # a body not labelled as JSON is parsed as JSON all the same
                    for content_type in ("application/json", "text/plain") if n == str(mine.pk) else ("text/plain",):
                        answer = getattr(client, method)(url.format(code=code, n=n), _body(body(x)),
                                                         content_type=content_type)
                        json_answer(answer, method, url, n, x)
                # in a URL as a client would send it: UTF-8 bytes, quoted (a lone surrogate's too)
                quoted = quote(str(x), safe="", errors="surrogatepass")
                for url in READS:
                    json_answer(client.get(url.format(x=quoted, n=n)), url, n, x)
            # (a multipart form of the test client's carries UTF-8 text only)
            text = str(x).encode(errors="replace")
            for material, content in (("statement", text), (text.decode(), b"%PDF-1.4")):
                answer = client.post(f"/api/v1/applications/{mine.pk}/files", {
                    "material": material, "file": SimpleUploadedFile("f.pdf", content, "application/pdf")})
                json_answer(answer, "files", material, x)
