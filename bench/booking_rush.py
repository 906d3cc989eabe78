"""The 08:00 rush: 1,000 signed-in applicants press "book" for 100 places at once, over
HTTP, on gunicorn. Exactly 100 must get a place, every other must be told "已约满"
(409), and nothing may answer 5xx.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_bk python bench/booking_rush.py \
        [--clients 1000] [--places 100] [--workers 3] [--threads 4] [--rounds 3]

gunicorn serves `tongban.wsgi`'s application (gthread, DB_CONN_MAX_AGE=60) on a free port
and on the bench's throwaway database (see `_setup.py`). The world: one window taking
one published service, slots tomorrow morning of `--places` places (an extra
session, so they exist whatever tomorrow is), N applicants bound to people, signed in
by writing their sessions directly (logging in is not what is measured).

Each client is a thread holding its own keep-alive connection; all wait on a barrier
and then POST /booking/<resource>/ once. The anchor, in the same run on the same
server with the same middleware, sessions and CSRF: a bare view doing the same SQL
(the conditional UPDATE of the slot and, when it took a place, one INSERT) on a second
slot of the same capacity, and nothing else (no rules, no audit, no messages).

A round is one rush of each on fresh slots; the rounds alternate which goes first (so
neither always meets a warmer server) and the figure is the median round's ratio, as
one rush lasts seconds and a busy machine moves either by a fifth. Between rounds the
app's bookings are cancelled, so every applicant may book again.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import statistics
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


# --- the server's entry point -----------------------------------------------------------------
def serve():
    """gunicorn's entry point ('booking_rush:serve()'): tongban.wsgi's application, and
    for /bench/ the same Django stack resolving to the anchor view."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from _setup import with_anchor
    from django.contrib.auth.decorators import login_required
    from django.db import connection, transaction
    from django.http import HttpResponse, HttpResponseRedirect
    from django.views.decorators.http import require_POST

    from tongban.wsgi import application as tongban_app

    @login_required
    @require_POST
    def anchor(request, pk: int):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE booking_slot SET booked = booked + 1 WHERE id = %s AND booked < capacity", [pk])
            if cursor.rowcount != 1:
                return HttpResponse("该时段已约满，请选择其他时段。", status=409)
            cursor.execute("INSERT INTO bench_anchor (slot_id, user_id) VALUES (%s, %s)", [pk, request.user.pk])
        return HttpResponseRedirect("/booking/mine/")

    return with_anchor(tongban_app, "anchor/<int:pk>/", anchor)


# --- the world ----------------------------------------------------------------------------------
def build_world(clients: int, places: int, rounds: int = 1):
    """The window, its service and, per round, two slots of `places` (one booked
    through the app, one through the anchor), and one more for pgbench; the applicants
    with their session cookies."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone

    from tongban.accounts.models import OrgUnit, User
    from tongban.accounts.roles import Role
    from tongban.accounts.services import create_org_unit
    from tongban.booking import plans
    from tongban.booking.models import ExtraSession, Resource, Slot
    from tongban.catalog.models import Material, ServiceItem, Step, UnitRule
    from tongban.catalog.services import publish
    from tongban.lib import crypto
    from tongban.lib.masking import mask_id_number
    from tongban.people import idnumber
    from tongban.people.models import Person

    city = create_org_unit(actor=None, code="city", name="示例市公安局", kind=OrgUnit.Kind.CITY_BUREAU)
    station = create_org_unit(actor=None, code="east-1", name="东门派出所", kind=OrgUnit.Kind.STATION, parent=city)
    item = ServiceItem.objects.create(code="id-card", name="居民身份证办理", org_unit=station, ways=["appointment"],
                                      needs_acceptance=False)
    Material.objects.create(item=item, order=1, key="id_card", name="居民身份证原件")
    Step.objects.create(item=item, stage=1, key="window", name="窗口受理", role=Role.CLERK,
                        unit_rule=UnitRule.SERVICE_UNIT, time_limit_days=1)
    publish(actor=None, item=item)
    window = Resource.objects.create(name="户籍窗口 1", org_unit=station, place="一楼大厅", slot_minutes=30,
                                     capacity=places)
    window.services.set([item])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    end = dt.datetime.combine(tomorrow, dt.time(9)) + dt.timedelta(minutes=30 * (2 * rounds + 1))
    ExtraSession.objects.create(resource=window, date=tomorrow, start=dt.time(9), end=end.time(), note="bench")
    plans.ensure_window(resource=window)
    slots = list(Slot.objects.filter(resource=window, date=tomorrow).order_by("start")[:2 * rounds + 1])
    window.pgbench_slot = slots[-1]
    pairs = [(slots[2 * r], slots[2 * r + 1]) for r in range(rounds)]

    hashed = make_password("bench-applicant-2026")
    users = User.objects.bulk_create([User(username=f"applicant-{i:05d}", password=hashed, display_name=f"申请人{i}")
                                      for i in range(clients)])
    people = []
    for i, user in enumerate(users):
        number = idnumber.make("110105", dt.date(2000, 1, 1) + dt.timedelta(days=i % 3000), 100 + i // 3000)
        people.append(Person(name=f"申请人{i}", id_number_enc=crypto.encrypt(number),
                             id_number_index=crypto.blind_index(number, purpose="id"),
                             id_number_masked=mask_id_number(number), gender="M", birth_date=dt.date(2000, 1, 1),
                             region_code="110105", category="resident", org_unit=station,
                             student_number=f"R{i:07d}", account=user))
    Person.objects.bulk_create(people, batch_size=1_000)
    cookies = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # as the applicant's session stands having just opened the page: its expiry was
        # pushed forward then, so the press itself writes no session (either run's)
        session["_pushed"] = int(time.time())
        session.create()
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        cookies.append((f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                        f"{settings.CSRF_COOKIE_NAME}={csrf}", csrf))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_anchor (id integer PRIMARY KEY "
                       + ("GENERATED ALWAYS AS IDENTITY" if connection.vendor == "postgresql" else "AUTOINCREMENT")
                       + ", slot_id integer NOT NULL, user_id integer NOT NULL)")
    return window, item, pairs, cookies


def run_pgbench(db: dict, slot_pk: int, clients: int, connections: int) -> str:
    """The anchor's SQL straight from pgbench on a third slot of the same capacity, as
    many transactions as there were clients; '' if pgbench is not installed."""
    import shutil
    import tempfile

    binary = shutil.which("pgbench")
    if binary is None:
        return ""
    script = ("WITH taken AS (UPDATE booking_slot SET booked = booked + 1 "
              f"WHERE id = {int(slot_pk)} AND booked < capacity RETURNING id) "
              "INSERT INTO bench_anchor (slot_id, user_id) SELECT id, 0 FROM taken;\n")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(script)
    per_client = max(1, clients // connections)
    command = [binary, "-n", "-c", str(connections), "-j", "2", "-t", str(per_client), "-f", fh.name,
               "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
               "-U", db.get("USER") or "postgres", db["NAME"]]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ,
                                                                       "PGPASSWORD": db.get("PASSWORD") or ""})
    os.unlink(fh.name)
    tps = [line for line in done.stdout.splitlines() if line.startswith("tps")]
    return f"{float(tps[0].split('=')[1].split('(')[0]):,.0f} transactions/s" if tps else f"failed: {done.stderr[:200]}"


# --- the rush -------------------------------------------------------------------------------------
def rush(port: int, path: str, form: str, cookies: list[tuple[str, str]]) -> tuple[float, list[tuple[int, str]]]:
    """Every client POSTs once, all released by one barrier; returns the seconds from
    the release to the last answer, and each (status, body)."""
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()
    connected = threading.Barrier(len(cookies) + 1)
    go = threading.Event()
    ends: list[float] = []

    def client(cookie: str, token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            conn.connect()
        finally:
            connected.wait()
        go.wait()
        try:
            conn.request("POST", path, body=form, headers={
                "Cookie": cookie, "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            answer = (response.status, response.read().decode(errors="replace"))
        except (OSError, http.client.HTTPException) as exc:
            answer = (0, repr(exc))
        finally:
            conn.close()
        with lock:
            answers.append(answer)
            ends.append(time.perf_counter())

    threading.stack_size(256 * 1024)
    threads = [threading.Thread(target=client, args=c) for c in cookies]
    for t in threads:
        t.start()
    connected.wait()
    started = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    return max(ends) - started, answers


def warm_up(port: int, path: str, cookies: list[tuple[str, str]]) -> None:
    """The page the applicants look at before they press, opened a few times on every
    worker: what a worker does only once (compile templates, resolve URLs, connect)
    must not fall on whichever rush comes first."""
    def opens(cookie: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers={"Cookie": cookie})
        conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=opens, args=(cookie,)) for cookie, _ in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def check(args, ours, theirs, app, app_counts, anchor_counts) -> bool:
    """Exactly `places` bookings and anchor rows, every other answer 已约满, no 5xx."""
    from django.db import connection

    from tongban.booking.models import Booking

    ours.refresh_from_db()
    theirs.refresh_from_db()
    booked = Booking.objects.filter(slot=ours).count()
    full = sum(1 for status, body in app if status == 409 and "已约满" in body)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_anchor WHERE slot_id = %s", [theirs.pk])
        (anchored,) = cursor.fetchone()
    errors = sum(n for status, n in app_counts.items() if status >= 500 or status == 0)
    print(f"  app: {booked} bookings, slot booked={ours.booked}/{ours.capacity}, {full} answered 已约满, "
          f"{errors} server errors; anchor: {anchored} rows, slot booked={theirs.booked}/{theirs.capacity} "
          f"({sum(n for s, n in anchor_counts.items() if s >= 500 or s == 0)} server errors)")
    return (booked == ours.booked == args.places and app_counts.get(302) == args.places
            and full == args.clients - args.places and errors == 0 and anchored == theirs.booked == args.places)


def summarise(label: str, seconds: float, answers: list[tuple[int, str]]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for status, _ in answers:
        counts[status] = counts.get(status, 0) + 1
    print(f"  {label}: {len(answers)} POSTs in {seconds:.2f} s = {len(answers) / seconds:.0f}/s; "
          f"answers {dict(sorted(counts.items()))}")
    return counts




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="app and anchor rushes, alternating who goes first")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from _setup import bench_database, start_gunicorn

    with bench_database() as where:
        import urllib.parse

        from django.db import connection

        from tongban.booking.models import Booking

        if connection.vendor != "postgresql":
            print("skipped: booking_rush.py measures PostgreSQL; set DATABASE_URL=postgres://… to run it")
            return 0
        print(f"database: {where}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        started = time.perf_counter()
        window, item, pairs, cookies = build_world(args.clients, args.places, args.rounds)
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # the pages use the manifest
        print(f"world: {args.clients} signed-in applicants; per round a slot of {args.places} places for the app "
              f"and one for the anchor ({time.perf_counter() - started:.0f} s)")
        env = {**os.environ, "DB_CONN_MAX_AGE": "60", "HUEY_IMMEDIATE": "false"}
        if connection.vendor == "postgresql":
            parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
            env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))
        connection.close()
        server, port, log = start_gunicorn(
            "booking_rush:serve()", workers=args.workers, threads=args.threads, env=env, timeout=300, backlog=4096,
            probe="/booking/", ready=lambda response: response.status == 302)
        rounds, ok = [], True
        try:
            warm_up(port, f"/booking/{window.pk}/?service={item.pk}", cookies[:args.workers * args.threads * 4])
            print(f"rush ({args.clients} clients at once; gunicorn {args.workers} workers × {args.threads} threads; "
                  f"{args.rounds} rounds, the app first in odd rounds and the anchor first in even ones):")
            for n, (ours, theirs) in enumerate(pairs, start=1):
                order = ["app", "anchor"] if n % 2 else ["anchor", "app"]
                seconds = {}
                for who in order:
                    if who == "app":
                        seconds["app"], app = rush(port, f"/booking/{window.pk}/", f"service={item.pk}&slot={ours.pk}",
                                                   cookies)
                        app_counts = summarise(f"round {n}: booking page (book())", seconds["app"], app)
                    else:
                        seconds["anchor"], anchor = rush(port, f"/bench/anchor/{theirs.pk}/", "", cookies)
                        anchor_counts = summarise(f"round {n}: anchor (same SQL, bare view)", seconds["anchor"],
                                                  anchor)
                ok &= check(args, ours, theirs, app, app_counts, anchor_counts)
                rounds.append(seconds["anchor"] / seconds["app"])
                # the winners may book again next round (one active booking per service)
                Booking.objects.filter(slot=ours).update(state="cancelled")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        pgbench = run_pgbench(connection.settings_dict, window.pgbench_slot.pk, args.clients,
                              args.workers * args.threads)
        share = statistics.median(rounds)
        print(f"throughput: book() at {', '.join(f'{r:.2f}' for r in rounds)} of the anchor's rate, median "
              f"{share:.2f} (target ≥ 0.7; exactly {args.places} booked and 0 server errors in every round) — "
              f"{'OK' if ok and share >= 0.7 else ('MISSED' if ok else 'FAILED')}")
        if pgbench:
            print(f"pgbench, the same statements in one (UPDATE … RETURNING feeding the INSERT), "
                  f"{args.workers * args.threads} connections: {pgbench}")
        text = log.read_text(errors="replace")
        if "Traceback" in text:
            last = [line for line in text.splitlines() if line and not line.startswith((" ", "Traceback"))]
            print(f"  server log: {text.count('Traceback')} tracebacks; e.g. {last[-1][:200] if last else ''}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
