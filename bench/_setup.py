"""A throwaway database for a benchmark, so a bench never touches real data.

SQLite by default: a fresh file in a temporary TONGBAN_DATA_DIR. With DATABASE_URL set
(PostgreSQL), a fresh database named after the URL's with a `_bench_<pid>` suffix is
created beside it and dropped afterwards; the database the URL names is left alone.
With `keep` (PostgreSQL only), the database is named after the URL's with a
`_<keep>` suffix, made only if missing, migrated, and kept afterwards, so a bench
whose data takes long to make can measure it again in a later run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bench_database(keep: str | None = None) -> Iterator[str]:
    """Set up Django on a fresh (or, with `keep`, a kept), migrated database; yield a
    label saying which."""
    data_dir = tempfile.mkdtemp(prefix="tongban-bench-")
    os.environ["TONGBAN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    throwaway = kept = None
    if connection.vendor == "postgresql" and keep:
        kept = f"{connection.settings_dict['NAME']}_{keep}"
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [kept])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{kept}"')
        connection.close()
        connection.settings_dict["NAME"] = kept
    elif connection.vendor == "postgresql":
        throwaway = f"{connection.settings_dict['NAME']}_bench_{os.getpid()}"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{throwaway}"')
            cursor.execute(f'CREATE DATABASE "{throwaway}"')
        connection.close()
        connection.settings_dict["NAME"] = throwaway
    label = (f"PostgreSQL {throwaway}" if throwaway else f"PostgreSQL {kept} (kept)" if kept
             else f"SQLite {connection.settings_dict['NAME']}")
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield label
    finally:
        connection.close()
        if throwaway:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{throwaway}"')
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def timed(into: dict, key: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        into[key] = time.perf_counter() - start


def publish_service(*, code: str, name: str, unit, prefix: str, fields: list[dict], steps: list[dict],
                    needs_acceptance: bool = False, promised_days: int = 5):
    """A service item with its form fields and workflow steps (no materials), made with
    the catalog's models and published with its service, as a service admin would."""
    from tongban.catalog.models import FormField, ServiceItem, Step
    from tongban.catalog.services import publish

    item = ServiceItem.objects.create(code=code, name=name, org_unit=unit, serial_prefix=prefix, ways=["online"],
                                      needs_acceptance=needs_acceptance, promised_days=promised_days)
    for order, field in enumerate(fields, start=1):
        FormField.objects.create(item=item, order=order, **{"required": True, **field})
    for order, step in enumerate(steps, start=1):
        Step.objects.create(item=item, order=order, **step)
    publish(actor=None, item=item)
    item.refresh_from_db()
    return item


def officer_with_colleges(colleges: list[str]):
    """A university, its colleges and an officer who may import into all of them,
    made through the services as `seed-demo` would."""
    from tongban.accounts.models import OrgUnit
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_org_unit, create_user, grant_role

    univ = create_org_unit(actor=None, code="univ", name="示例大学", kind=OrgUnit.Kind.UNIVERSITY)
    for n, name in enumerate(colleges):
        create_org_unit(actor=None, code=f"univ-c{n}", name=name, kind=OrgUnit.Kind.COLLEGE, parent=univ)
    officer = create_user(actor=None, username="officer", password=None, display_name="户籍民警")
    grant_role(actor=None, user=officer, role=Role.OFFICER, org_unit=univ)
    return officer


def with_anchor(app, route: str, view):
    """A WSGI application serving `view` at /bench/<route> through Django's own handler
    (the same middleware, sessions and CSRF as the pages it is compared with), and
    everything else through `app`."""
    from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
    from django.urls import include, path

    class AnchorURLs:
        urlpatterns = [path(f"bench/{route}", view), path("", include("tongban.urls"))]

    class AnchorRequest(WSGIRequest):
        urlconf = AnchorURLs  # Django resolves a request with its own `urlconf` if it has one

    class AnchorHandler(WSGIHandler):
        request_class = AnchorRequest

    anchor_app = AnchorHandler()

    def application(environ, start_response):
        chosen = anchor_app if environ.get("PATH_INFO", "").startswith("/bench/") else app
        return chosen(environ, start_response)

    return application


BENCH_REDIS_DB = 13


def production_redis() -> str | None:
    """A Redis URL for the server under test, as production runs it (.env.example:
    the cache, the sessions and the job queue on Redis): REDIS_URL if set, else this
    machine's Redis on 127.0.0.1:6379, database BENCH_REDIS_DB emptied first; None if
    no Redis answers (the embedded default then: sessions in the database, jobs on
    SQLite)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    import redis

    url = f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        return None
    return url


def start_gunicorn(entry: str, *, workers: int, threads: int, env: dict, probe: str, ready,
                   timeout: int = 120, backlog: int = 2048):
    """gunicorn serving `entry` ('module:serve()', a module of bench/) on a free port,
    once GET `probe` answers as `ready(response)` says ours would (another server that
    took the port meanwhile would not); returns (server, port, log path)."""
    import http.client
    import socket
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(os.environ["TONGBAN_DATA_DIR"]) / "gunicorn.log"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), entry, "--pythonpath", str(here),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--worker-class", "gthread", "--keep-alive", "75", "--timeout", str(timeout), "--backlog", str(backlog),
         "--log-level", "warning"],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=here.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", probe)
            if ready(conn.getresponse()):
                return server, port, log
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer on port {port} within 60 s:\n{log.read_text()[-3000:]}")
