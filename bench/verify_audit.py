"""How long walking the audit chain takes (what `tongban verify-audit` does), against
the time it takes merely to fetch the same rows.

    python bench/verify_audit.py [--entries N]

The chain is built first, hashed exactly as `audit.services.record_many` hashes it
(chain.entry_hash over chain.FIELDS), and written with plain batched INSERTs so that
setting up a million entries does not dominate the run.

verify checks the chain in spans, one worker process per CPU; it is timed so, then
again in one process (workers=1) to show what the workers buy. Fetch alone is one
process reading what verify reads, the way it reads it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from _setup import bench_database, timed

FULL = 1_000_000
BATCH = 20_000
TARGET_SECONDS = 10
ACTIONS = ("people.create", "people.update", "people.unmask", "account.login", "role.grant")


def fill(entries: int) -> None:
    """Append `entries` chained entries, in one transaction per batch."""
    from django.db import connection, transaction

    from tongban.audit.chain import GENESIS, entry_hash
    from tongban.audit.models import AuditEntry

    # The same insert the service appends with (audit.services._insert): the chain
    # measured is written exactly as production writes it.
    from tongban.audit.services import _insert

    meta = AuditEntry._meta
    created_at = meta.get_field("created_at")
    details_field = meta.get_field("details")
    start = dt.datetime(2025, 9, 1, 8, 0, tzinfo=dt.UTC)
    prev = GENESIS
    for first in range(1, entries + 1, BATCH):
        rows = []
        for seq in range(first, min(first + BATCH, entries + 1)):
            # Every entry its own moment: the verifier gets no help from repeats.
            when = start + dt.timedelta(seconds=seq // 1000, microseconds=seq % 1000)
            action = ACTIONS[seq % len(ACTIONS)]
            details = {"via": "import", "row": seq} if action.startswith("people.") else {}
            values = (seq, when, seq % 50 or None, f"用户{seq % 50}", "officer", 1, "示例大学", action,
                      "people.person", str(seq), f"导入新增人员 测试{seq}", "203.0.113.7",
                      "Mozilla/5.0", details, prev)
            digest = entry_hash(values)
            rows.append((*values[:1], created_at.get_db_prep_save(when, connection), *values[2:13],
                         details_field.get_db_prep_save(details, connection), prev, digest))
            prev = digest
        with transaction.atomic():
            _insert(rows)


def fetch_alone() -> int:
    """The I/O floor: the rows verify reads, in its order, fetched the way it fetches
    them (span by span, raw, with created_at and details as text), in one process, and
    nothing else done with them."""
    from tongban.audit.chain import SPAN, _Reader
    from tongban.audit.models import AuditEntry

    reader = _Reader.of(AuditEntry.objects.all())
    head = reader.last_seq()
    fetched = 0
    for after in range(0, head, SPAN):
        for rows in reader.chunks(after or None, min(after + SPAN, head)):
            fetched += len(rows)
    return fetched


def fetch_through_the_orm() -> int:
    """For comparison: the same rows through values_list, with the ORM's converters."""
    from tongban.audit.chain import FIELDS
    from tongban.audit.models import AuditEntry

    rows = AuditEntry.objects.order_by("seq").values_list(*FIELDS, "hash").iterator(chunk_size=10_000)
    return sum(1 for _ in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=FULL)
    args = parser.parse_args()
    n = args.entries

    with bench_database() as where:
        from django.db import connection

        from tongban.audit.chain import default_workers, verify
        from tongban.audit.models import AuditEntry

        print(f"database: {where}")
        t: dict[str, float] = {}
        with timed(t, "fill"):
            fill(n)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE audit_auditentry")
        print(f"built a {n:,}-entry chain in {t['fill']:.1f} s")

        with timed(t, "count"), connection.cursor() as cursor:
            cursor.execute("SELECT count(*), max(seq) FROM audit_auditentry")
            assert cursor.fetchone() == (n, n)
        with timed(t, "fetch"):
            assert fetch_alone() == n
        with timed(t, "orm"):
            assert fetch_through_the_orm() == n
        with timed(t, "verify"):
            verdict = verify(AuditEntry.objects.all())
        assert (verdict.ok, verdict.count) == (True, n), verdict
        with timed(t, "alone"):
            verdict = verify(AuditEntry.objects.all(), workers=1)
        assert (verdict.ok, verdict.count) == (True, n), verdict
        met = "OK" if t["verify"] <= TARGET_SECONDS else "MISSED"
        verdict_text = met if n == FULL else f"(the target is for {FULL:,})"
        print(f"verify {n:,} entries: {t['verify']:.1f} s (fetch alone: {t['fetch']:.1f} s; "
              f"target ≤ {TARGET_SECONDS} s) {verdict_text}")
        print(f"  in {default_workers()} worker processes; in this one alone: {t['alone']:.1f} s, "
              f"of which hashing and checking on top of the fetch: {t['alone'] - t['fetch']:.1f} s")
        print(f"  count(*) and max(seq): {t['count']:.2f} s; {n / t['verify']:,.0f} entries/s")
        print(f"  the same rows through the ORM's values_list: {t['orm']:.1f} s")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"  (bench took {time.perf_counter() - started:.0f} s in all)")
