"""Pages forbid inline script (Content-Security-Policy with script-src 'self', from
django-csp), and no template carries any: behaviour lives in static/tongban/site.js."""

import re
from pathlib import Path

import pytest

import tongban

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def _policy(answer) -> dict[str, list[str]]:
    header = answer["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def test_pages_forbid_inline_script(client, world, login):
    for answer in (client.get("/"), client.get("/accounts/login/"), login(world.applicant).get("/cases/")):
        policy = _policy(answer)
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_no_template_carries_inline_script_or_event_handlers():
    root = Path(tongban.__file__).parent
    offenders = [f"{path.relative_to(root)}: {m.group(0)!r}"
                 for path in root.rglob("templates/**/*.html")
                 for m in INLINE_SCRIPT.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_pages_behaviour_is_served_from_a_static_file(client, world):
    assert b'src="/static/tongban/site.js"' in client.get("/").content
