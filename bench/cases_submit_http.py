"""How many applications the real app server takes per second, submitted over HTTP by
logged-in applicants, and how long the submit POST takes while it does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_cases_bench python bench/cases_submit_http.py \
        [--applicants N] [--seconds S] [--workers W] [--threads T] [--lock-case-only] [--serial-outside]

gunicorn serves `tongban.wsgi`'s application (gthread, W workers × T threads, DB_CONN_MAX_AGE=60 as
.env.example suggests) on a free port, on the bench's throwaway database, TONGBAN_DATA_DIR a
temporary folder and, as in production, Redis for the cache, the sessions and the job queue
when one answers (REDIS_URL, else 127.0.0.1:6379's database 13, emptied first; without
Redis, Huey on its SQLite file). Nobody consumes the queue: a kick is queued, not run.
The world: N applicants, each a person of a college with a phone, bound to an account;
one published service (three fields, no materials, no acceptance, one step
for the office's two clerks), so a submission starts the workflow and tells the
applicant and the clerks.

A separate process drives the load: N virtual users log in (POST /accounts/login/ with
the CSRF token), then at a fixed arrival rate each arrival takes an idle user who
creates a draft (POST /services/<code>/apply/), opens it (GET /cases/<pk>/edit/, for the
form and its token) and submits it (POST answers with action=submit). The rate steps up
until the server saturates, then runs at the target: 10,000 submissions a minute
(50 × the 200 a minute OpenCRVS publishes), 167/s, where the submit POST's p95 should
stay under 1 s. Then the same through the API, as a phone app or another system
submits: one JSON POST per application (/api/v1/services/<code>/applications with
submit=true and the X-CSRFToken header), the draft and its submission in one act. The
anchor, on the same gunicorn with the same middleware, sessions and CSRF: a POST to a
view in this file that only does one INSERT.

While each step runs, PostgreSQL's backends are sampled (what they wait on) and the CPU
time of the app server, the database backends and the load driver is read from /proc.

Two flags try, in the server only, fixes this bench suggests for src/ (PostgreSQL):
--lock-case-only makes services._locked lock the case's row alone (it locks the service
item, version and unit rows too, which deadlocks concurrent submissions), and
--serial-outside takes the serial number in its own short transaction. --log keeps the
server's log.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_RATE = 10_000 / 60
TARGET_P95 = 1.0
PASSWORD = "bench-applicant-2026"
SERVICE = "enrolment-proof"
STALE = 5.0  # an arrival no user could take within this many seconds is dropped (counted)


# --- the anchor and the server's entry point ------------------------------------------
def serve():
    """gunicorn's entry point ('cases_submit_http:serve()'): tongban.wsgi's application,
    untouched, and for /bench/ the same Django stack resolving to the anchor view."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from _setup import with_anchor
    from django.contrib.auth.decorators import login_required
    from django.db import connection
    from django.http import HttpResponseRedirect
    from django.views.decorators.http import require_POST

    from tongban.wsgi import application as tongban_app

    if os.environ.get("BENCH_LOCK_CASE_ONLY"):
        # --lock-case-only: the fix this bench suggests for services._locked, tried here
        # without touching src/ (SELECT … FOR UPDATE OF the case's row only)
        from tongban.cases import services
        from tongban.cases.models import Case

        def _locked(case):
            return (Case.objects.select_for_update(of=("self",)).select_related("version", "item", "org_unit")
                    .get(pk=case.pk))

        services._locked = _locked
    if os.environ.get("BENCH_SERIAL_OUTSIDE"):
        # --serial-outside: the serial number from one upsert in its own short transaction
        # (a gap when the submission then fails), instead of a row lock held to the end
        import psycopg
        from django.utils import timezone

        from tongban.cases import services

        local = threading.local()

        def next_serial(prefix: str) -> str:
            if getattr(local, "conn", None) is None:
                local.conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
            year = timezone.localdate().year
            (number,) = local.conn.execute(
                "INSERT INTO cases_serialcounter (prefix, year, last) VALUES (%s, %s, 1) ON CONFLICT (prefix, year) "
                "DO UPDATE SET last = cases_serialcounter.last + 1 RETURNING last", [prefix, year]).fetchone()
            return f"{prefix}-{year}-{number:06d}"

        services.next_serial = next_serial

    @login_required
    @require_POST
    def anchor(request):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_anchor (user_id, answers) VALUES (%s, %s)",
                           [request.user.pk, json.dumps(request.POST.dict(), ensure_ascii=False)])
        return HttpResponseRedirect("/cases/")

    return with_anchor(tongban_app, "anchor/", anchor)


# --- the world ---------------------------------------------------------------------------
def build_world(applicants: int) -> list[tuple[str, str]]:
    """The office, its clerks, the service, and the applicants; returns (username, name)."""
    import datetime as dt

    from _setup import publish_service
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from tongban.accounts.models import OrgUnit, User
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_org_unit, create_user, grant_role
    from tongban.catalog.models import UnitRule
    from tongban.lib import crypto
    from tongban.lib.masking import mask_id_number, mask_phone
    from tongban.people import idnumber
    from tongban.people.models import Person

    univ = create_org_unit(actor=None, code="univ", name="示例大学", kind=OrgUnit.Kind.UNIVERSITY)
    office = create_org_unit(actor=None, code="univ-students", name="学生工作处", kind=OrgUnit.Kind.OFFICE,
                             parent=univ)
    colleges = [create_org_unit(actor=None, code=f"univ-c{n}", name=name, kind=OrgUnit.Kind.COLLEGE, parent=univ)
                for n, name in enumerate(("经济学院", "法学院", "信息学院", "外国语学院"))]
    for k in range(2):
        clerk = create_user(actor=None, username=f"clerk-{k}", password=None, display_name=f"学工处窗口{k + 1}")
        grant_role(actor=None, user=clerk, role=Role.CLERK, org_unit=office)
    publish_service(
        code=SERVICE, name="在读证明", unit=office, prefix="ZD",
        fields=[{"key": "name", "label": "姓名", "prefill": "name"},
                {"key": "phone", "label": "联系电话", "type": "phone", "prefill": "phone"},
                {"key": "purpose", "label": "用途", "type": "choice", "options": "签证\n实习\n奖学金\n其他"}],
        steps=[{"stage": 1, "key": "office", "name": "学工处盖章", "role": Role.CLERK,
                "unit_rule": UnitRule.SERVICE_UNIT, "time_limit_days": 2}])

    # The applicants in bulk (one password hash for all: hashing is not what is measured).
    hashed = make_password(PASSWORD)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
    names = [surnames[i % 20] + given[(i // 20) % 20] + given[(i * 7) % 20] for i in range(applicants)]
    users = User.objects.bulk_create([User(username=f"applicant-{i:05d}", password=hashed, display_name=names[i])
                                      for i in range(applicants)])
    people = []
    for i, user in enumerate(users):
        number = idnumber.make("110105", dt.date(2004, 1, 1) + dt.timedelta(days=i % 700), 100 + i // 700)
        phone = f"139{i:08d}"
        people.append(Person(
            name=names[i], id_number_enc=crypto.encrypt(number),
            id_number_index=crypto.blind_index(number, purpose="id"), id_number_masked=mask_id_number(number),
            gender="M", birth_date=dt.date(2004, 1, 1), region_code="110105",
            category="undergraduate", org_unit=colleges[i % 4], student_number=f"2023{i:06d}", enrolment_year=2023,
            phone_enc=crypto.encrypt(phone), phone_index=crypto.blind_index(phone, purpose="phone"),
            phone_masked=mask_phone(phone), account=user))
    Person.objects.bulk_create(people, batch_size=1_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_anchor (id bigserial PRIMARY KEY, user_id bigint NOT NULL, "
                           "answers jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())")
    else:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_anchor (id integer PRIMARY KEY AUTOINCREMENT, user_id bigint NOT NULL, "
                           "answers text NOT NULL, at text NOT NULL DEFAULT CURRENT_TIMESTAMP)")
    return [(u.username, names[i]) for i, u in enumerate(users)]


# --- the load driver (its own process) ---------------------------------------------------
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One applicant: a keep-alive connection, cookies, the last CSRF token seen."""

    def __init__(self, port: int, username: str, name: str):
        self.port, self.username, self.name = port, username, name
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None,
                data: dict | None = None) -> tuple[int, dict, str, float]:
        """`form` is posted as a form's fields; `data` as JSON, with the CSRF token in
        the X-CSRFToken header."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "User-Agent": "bench"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data, ensure_ascii=False).encode()
            headers.update({"Content-Type": "application/json", "X-CSRFToken": self.cookies.get("csrftoken", "")})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection before reading the request
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            except (OSError, http.client.HTTPException):
                # a timeout or a broken response leaves the connection unusable: start afresh
                self.conn.close()
                self.conn = None
                raise
            elapsed = time.perf_counter() - start
            for header in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[key] = morsel.coded_value
                    else:
                        self.cookies.pop(key, None)
            if match := TOKEN.search(text):
                self.token = match.group(1)
            return response.status, dict(response.headers), text, elapsed
        raise AssertionError("unreachable")

    def login(self) -> None:
        self.request("GET", "/accounts/login/")
        status, _, _, _ = self.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": self.token, "username": self.username, "password": PASSWORD, "next": ""})
        assert status == 302 and "sessionid" in self.cookies, (status, self.username)
        # the guide page, for a token of the new session (login rotates it)
        status, *_ = self.request("GET", f"/services/{SERVICE}/")
        assert status == 200, status

    def submit(self) -> dict:
        """Draft, form, submit; the timings of each, or what went wrong."""
        status, headers, _, t_apply = self.request("POST", f"/services/{SERVICE}/apply/",
                                                   {"csrfmiddlewaretoken": self.token, "on_behalf": ""})
        location = headers.get("Location", "")
        if status != 302 or not location.endswith("/edit/"):
            return {"error": f"apply {status}"}
        status, _, _, t_form = self.request("GET", location)
        if status != 200:
            return {"error": f"form {status}"}
        status, headers, _, t_post = self.request("POST", location, {
            "csrfmiddlewaretoken": self.token, "_shown": "name,phone,purpose", "name": self.name,
            "phone": "139****0000", "purpose": "实习", "action": "submit"})
        if status != 302 or "/edit/" in headers.get("Location", "/edit/"):
            return {"error": f"submit {status}"}
        return {"apply": t_apply, "form": t_form, "post": t_post}

    def api_submit(self) -> dict:
        """One JSON POST: the application made and submitted in one act."""
        status, _, text, t_post = self.request("POST", f"/api/v1/services/{SERVICE}/applications",
                                               data={"answers": {"purpose": "实习"}, "submit": True})
        if status != 201:
            return {"error": f"api {status} {text[:60]}"}
        return {"post": t_post}

    def anchor(self) -> dict:
        status, _, _, t_post = self.request("POST", "/bench/anchor/", {
            "csrfmiddlewaretoken": self.token, "_shown": "name,phone,purpose", "name": self.name,
            "phone": "139****0000", "purpose": "实习", "action": "submit"})
        return {"post": t_post} if status == 302 else {"error": f"anchor {status}"}


def _cpu_seconds() -> float:
    usage = os.times()
    return usage.user + usage.system


def run_step(browsers: list[Browser], kind: str, rate: float, seconds: float) -> dict:
    """Arrivals at a fixed rate for `seconds`; each taken by an idle user. Latency of
    the POST is from sending it to the whole response; `wait` is from the arrival's
    moment to a user taking it (the client's own queue)."""
    arrivals: queue.Queue = queue.Queue()
    results: list[dict] = []
    lock = threading.Lock()
    dropped = 0

    def user(browser: Browser) -> None:
        nonlocal dropped
        while (due := arrivals.get()) is not None:
            taken = time.perf_counter()
            if taken - due > STALE:
                with lock:
                    dropped += 1
                continue
            try:
                outcome = {"submit": browser.submit, "api": browser.api_submit, "anchor": browser.anchor}[kind]()
            except (OSError, http.client.HTTPException) as exc:
                outcome = {"error": type(exc).__name__}
            outcome.update(wait=taken - due, end=time.perf_counter())
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=user, args=(b,), daemon=True) for b in browsers]
    for thread in threads:
        thread.start()
    cpu = _cpu_seconds()
    start = time.perf_counter()
    count = round(rate * seconds)
    for i in range(count):
        due = start + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        arrivals.put(due)
    for _ in threads:
        arrivals.put(None)
    for thread in threads:
        thread.join(timeout=STALE + 90)
    ok = [r for r in results if "error" not in r]
    errors: dict[str, int] = {}
    for r in results:
        if "error" in r:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    end = max((r["end"] for r in results), default=time.perf_counter())
    posts = sorted(r["post"] for r in ok)

    def pct(values: list[float], p: float) -> float | None:
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else None

    flows = sorted(r.get("apply", 0) + r.get("form", 0) + r["post"] for r in ok)
    return {"kind": kind, "offered": rate, "seconds": seconds, "arrivals": count, "ok": len(ok), "errors": errors,
            "dropped": dropped, "achieved": len(ok) / max(end - start, seconds),
            "p50": pct(posts, 50), "p95": pct(posts, 95), "p99": pct(posts, 99),
            "flow_p95": pct(flows, 95), "wait_p95": pct(sorted(r["wait"] for r in results), 95),
            "client_cpu": _cpu_seconds() - cpu}


def drive(port: int, users: list[list[str]]) -> None:
    """The driver process: commands on stdin, one JSON answer per line on stdout."""
    browsers = [Browser(port, username, name) for username, name in users]
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "login":
            started = time.perf_counter()
            todo = queue.Queue()
            for b in browsers:
                todo.put(b)
            failures = []

            def worker(todo=todo, failures=failures) -> None:
                while True:
                    try:
                        b = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        b.login()
                    except (AssertionError, OSError, http.client.HTTPException) as exc:
                        failures.append(f"{b.username}: {exc!r}")

            threads = [threading.Thread(target=worker) for _ in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            answer = {"seconds": time.perf_counter() - started, "failures": failures[:5], "failed": len(failures)}
        elif command["do"] == "step":
            answer = run_step(browsers, command["kind"], command["rate"], command["seconds"])
        else:
            return
        print(json.dumps(answer), flush=True)


# --- the orchestra: server, sampler, steps --------------------------------------------
def proc_cpu(pid: int) -> float:
    """user + system CPU seconds of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Sampler:
    """What the bench database's backends are doing, every 100 ms, while a step runs."""

    def __init__(self, dsn: str | None, database: str):
        self.dsn, self.database = dsn, database
        self.counts: dict[str, int] = {}
        self.samples = 0
        self.pids: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.counts, self.samples, self.pids = {}, 0, set()
        self._stop.clear()
        if self.dsn:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.wait(0.1):
                rows = conn.execute(
                    "SELECT pid, state, coalesce(wait_event_type, ''), coalesce(wait_event, '') FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    [self.database]).fetchall()
                self.samples += 1
                for pid, state, kind, event in rows:
                    self.pids.add(pid)
                    if state in (None, "idle"):
                        continue
                    key = ("waiting for the app inside a transaction" if state.startswith("idle in transaction")
                           else f"{kind}:{event}" if kind and kind != "Client" else "running")
                    self.counts[key] = self.counts.get(key, 0) + 1

    def backends(self) -> list[int]:
        if not self.dsn:
            return []
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
                "AND pid <> pg_backend_pid()", [self.database])]

    def stop(self) -> dict[str, float]:
        self._stop.set()
        if self._thread:
            self._thread.join()
        return {k: v / max(self.samples, 1) for k, v in sorted(self.counts.items(), key=lambda kv: -kv[1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10, help="length of each load step")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--log", type=Path, help="keep a copy of the server's log here")
    parser.add_argument("--flows", default="submit,api", type=lambda text: set(text.split(",")),
                        help="which to measure, comma-separated: submit (the pages), api")
    parser.add_argument("--lock-case-only", action="store_true",
                        help="patch services._locked in the server to lock only the case's row (FOR UPDATE OF)")
    parser.add_argument("--serial-outside", action="store_true",
                        help="patch services.next_serial to take the number in its own short transaction")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flows - {"submit", "api"}:
        parser.error(f"--flows: unknown {', '.join(sorted(args.flows - {'submit', 'api'}))} (submit, api)")
    if args.drive:
        config = json.loads(args.drive)
        drive(config["port"], config["users"])
        return 0

    from _setup import bench_database, production_redis, start_gunicorn

    with bench_database() as where:
        from django.core.management import call_command
        from django.db import connection

        print(f"database: {where}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the start")
        started = time.perf_counter()
        users = build_world(args.applicants)
        call_command("collectstatic", interactive=False, verbosity=0)
        database = connection.settings_dict["NAME"]
        dsn = None
        env = {**os.environ, "DB_CONN_MAX_AGE": str(args.conn_max_age), "HUEY_IMMEDIATE": "false"}
        if redis_url := production_redis():
            env["REDIS_URL"] = redis_url
            print(f"Redis at {redis_url}: the cache, the sessions and the job queue, as in production")
        else:
            print("no Redis answers: sessions in the database, the job queue on SQLite (the embedded default)")
        if args.lock_case_only:
            env["BENCH_LOCK_CASE_ONLY"] = "1"
            print("services._locked patched in the server: SELECT … FOR UPDATE OF the case's row only")
        if args.serial_outside:
            env["BENCH_SERIAL_OUTSIDE"] = "1"
            print("services.next_serial patched in the server: one upsert in its own transaction")
        if connection.vendor == "postgresql":
            parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
            env["DATABASE_URL"] = dsn = urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))
        connection.close()
        print(f"world: {args.applicants} applicants, one service, static files collected "
              f"({time.perf_counter() - started:.0f} s)")

        # the anchor's URL sends an anonymous visitor to log in
        server, port, log = start_gunicorn(
            "cases_submit_http:serve()", workers=args.workers, threads=args.threads, env=env, probe="/bench/anchor/",
            ready=lambda r: r.status == 302 and "next=/bench/anchor/" in r.getheader("Location", ""))
        driver = None
        try:
            driver = subprocess.Popen(
                [sys.executable, __file__, "--drive", json.dumps({"port": port, "users": users})],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE)
            return _conduct(args, driver, server.pid, Sampler(dsn, database), log)
        finally:
            if driver and driver.poll() is None:
                driver.kill()
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            if args.log:
                shutil.copyfile(log, args.log)




def _conduct(args, driver: subprocess.Popen, server_pid: int, sampler: Sampler, log: Path) -> int:
    def ask(command: dict) -> dict:
        driver.stdin.write(json.dumps(command) + "\n")
        driver.stdin.flush()
        return json.loads(driver.stdout.readline())

    login = ask({"do": "login"})
    if login["failed"]:
        raise RuntimeError(f"{login['failed']} logins failed, e.g. {login['failures']}:\n{log.read_text()[-3000:]}")
    print(f"{args.applicants} applicants logged in over HTTP in {login['seconds']:.1f} s "
          f"(gunicorn: {args.workers} workers × {args.threads} threads, DB_CONN_MAX_AGE={args.conn_max_age})")

    def step(kind: str, rate: float) -> dict:
        workers = children(server_pid)
        cpu_app = sum(proc_cpu(p) for p in workers)
        backends = {p: proc_cpu(p) for p in sampler.backends()}
        sampler.start()
        result = ask({"do": "step", "kind": kind, "rate": rate, "seconds": args.seconds})
        waits = sampler.stop()
        result["app_cpu"] = sum(proc_cpu(p) for p in workers) - cpu_app
        # backends started during the step count from their start; one that ended during it
        # (its connection closed after an error) is lost to the figure
        alive = {p: proc_cpu(p) for p in sampler.pids | set(backends)}
        result["db_cpu"] = sum(cpu - backends.get(p, 0) for p, cpu in alive.items() if cpu)
        result["waits"] = waits
        done = max(result["ok"] + sum(result["errors"].values()), 1)  # attempts, failed ones too
        errors = f", errors {result['errors']}" if result["errors"] else ""
        dropped = f", {result['dropped']} dropped (no idle user for {STALE:.0f} s)" if result["dropped"] else ""
        what = {"submit": "submissions", "api": "API submissions", "anchor": "anchor POSTs"}[kind]
        print(f"  offered {rate:5.0f}/s → {result['achieved']:6.1f} {what}/s; POST p50 {_ms(result['p50'])} "
              f"p95 {_ms(result['p95'])} p99 {_ms(result['p99'])}"
              + (f"; whole flow p95 {_ms(result['flow_p95'])}" if kind == "submit" else "")
              + f"; client queue p95 {_ms(result['wait_p95'])}{errors}{dropped}")
        busy = ", ".join(f"{k} {v:.1f}" for k, v in list(waits.items())[:5])
        db = f"PostgreSQL {1000 * result['db_cpu'] / done:.1f} ms, " if sampler.dsn else ""
        print(f"      CPU per attempt: app {1000 * result['app_cpu'] / done:.1f} ms, {db}"
              f"driver {1000 * result['client_cpu'] / done:.1f} ms"
              + (f"; busy backends on average: {busy or '—'}" if sampler.dsn else ""))
        return result

    def sweep(kind: str, rates: list[float]) -> tuple[list[dict], dict]:
        """Step up until the server falls behind; then the target rate, if not yet run."""
        results = []
        for rate in rates:
            results.append(step(kind, rate))
            r = results[-1]
            if r["achieved"] < 0.9 * rate or (r["p95"] or 99) > TARGET_P95:
                break
        if not any(abs(r["offered"] - TARGET_RATE) < 1 for r in results):
            results.append(step(kind, TARGET_RATE))
        target = next(r for r in results if abs(r["offered"] - TARGET_RATE) < 1)
        return results, target

    measured = []
    if "submit" in args.flows:
        print("submissions (apply → form → submit), at fixed arrival rates:")
        measured.append(("browser flow", *sweep("submit", [10, 20, 40, 80, TARGET_RATE])))
    if "api" in args.flows:
        print("API submissions (one JSON POST each: the draft and its submission in one act):")
        measured.append(("API", *sweep("api", [40, 80, TARGET_RATE, 2 * TARGET_RATE])))
    print("anchor (one POST to a view that does one INSERT, same server and middleware):")
    anchors, anchor_target = sweep("anchor", [TARGET_RATE, 2 * TARGET_RATE, 4 * TARGET_RATE, 8 * TARGET_RATE])
    driver.stdin.write(json.dumps({"do": "quit"}) + "\n")
    driver.stdin.flush()

    # CPU is what runs out: what the target rate would take of it, from the CPU per
    # submission (app, database, load driver) at the highest rate the server kept up
    # with, against the anchor's
    def per_attempt(r: dict) -> float:
        return (r["app_cpu"] + r["db_cpu"] + r["client_cpu"]) / max(r["ok"] + sum(r["errors"].values()), 1)

    def kept_up(steps: list[dict]) -> dict:
        return ([r for r in steps if r["achieved"] >= 0.9 * r["offered"]] or steps[:1])[-1]

    anchor_quiet = kept_up(anchors)
    per_anchor = per_attempt(anchor_quiet)
    print(f"anchor: POST p95 {_ms(anchor_target['p95'])} at {anchor_target['achieved']:.0f}/s; saturates at "
          f"≈{max(r['achieved'] for r in anchors):.0f} POSTs/s; CPU per POST {1000 * per_anchor:.1f} ms "
          f"({TARGET_RATE:.0f}/s would take ≈{TARGET_RATE * per_anchor:.1f} cores)")
    for label, steps, at_target in measured:
        ok = (at_target["p95"] is not None and at_target["p95"] < TARGET_P95
              and at_target["achieved"] >= 0.98 * TARGET_RATE)
        saturation = max(r["achieved"] for r in steps)
        quiet = kept_up(steps)
        cost = per_attempt(quiet)
        print(f"{label}: at {TARGET_RATE:.0f}/s offered {at_target['achieved']:.1f}/s achieved, submit POST p95 "
              f"{_ms(at_target['p95'])} (target ≥ {TARGET_RATE:.0f}/s with p95 < {TARGET_P95:.0f} s) "
              f"{'OK' if ok else 'MISSED'}")
        print(f"  saturates at ≈{saturation:.0f} submissions/s ({60 * saturation:,.0f} a minute); CPU per "
              f"submission at {quiet['offered']:.0f}/s {1000 * cost:.1f} ms: {TARGET_RATE:.0f}/s would take "
              f"≈{TARGET_RATE * cost:.1f} cores; this machine has {os.cpu_count()}")
    text = log.read_text(errors="replace")
    kicks = text.count("could not kick the message relay")
    if kicks or "Traceback" in text:
        # the last line of each traceback names the exception
        lines = text.splitlines()
        last = [lines[i + 1 + next(j for j, x in enumerate(lines[i + 1:]) if not x.startswith((" ", "Traceback")))]
                for i, line in enumerate(lines) if line.startswith("Traceback")
                and any(not x.startswith((" ", "Traceback")) for x in lines[i + 1:])]
        kinds: dict[str, int] = {}
        for line in last:
            kinds[line[:160]] = kinds.get(line[:160], 0) + 1
        print(f"  server log: {text.count('Traceback')} tracebacks, {kicks} failed relay kicks; exceptions: "
              + "; ".join(f"{n}× {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:4]))
    return 0


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{1000 * seconds:.0f} ms"


if __name__ == "__main__":
    began = time.perf_counter()
    code = main()
    if not any(a.startswith("--drive") for a in sys.argv):
        print(f"  (bench took {time.perf_counter() - began:.0f} s in all)")
    sys.exit(code)
