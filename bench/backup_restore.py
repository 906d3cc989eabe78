"""How long `tongban backup` and `tongban restore` take on the three-million-case world, beside
pg_dump and pg_restore doing the bare copy of the same database in the same run (the anchor:
what the manifest, the counts and the chain's walk add is the difference). PostgreSQL only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_backup_bench python bench/backup_restore.py \
        [--cases N] [--keep NAME]

The world is cases_scale.py's (made through the services, the cases set-based); --keep NAME
reuses a world kept by either bench with the same name.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import bench_database
from cases_scale import FULL, build_world, generate


def _database(cursor_owner, name: str, *, drop_only: bool = False) -> None:
    with cursor_owner._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=FULL)
    parser.add_argument("--keep", metavar="NAME", help="keep the world's database (URL's name + _NAME) and reuse it")
    args = parser.parse_args()
    with bench_database(keep=args.keep) as where:
        from django.db import connection

        if connection.vendor != "postgresql":
            print("skipped: backup_restore.py measures PostgreSQL; set DATABASE_URL=postgres://… to run it")
            return 0
        from tongban.audit.backup import _pg_env, backup, restore
        from tongban.cases.models import Case

        print(f"database: {where}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the start")
        if not (args.keep and Case.objects.exists()):
            generate(build_world(), args.cases)
        cases = Case.objects.count()
        source = connection.settings_dict["NAME"]
        work = Path(tempfile.mkdtemp(prefix="tongban-backup-bench-"))
        env = _pg_env()
        t: dict[str, float] = {}

        start = time.perf_counter()
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={work / 'bare'}"],
                       env=env, check=True)
        t["pg_dump"] = time.perf_counter() - start
        start = time.perf_counter()
        backup(work / "b")
        t["backup"] = time.perf_counter() - start

        connection.close()
        bare, ours = f"{source}_bare_restore", f"{source}_restore"
        _database(connection, bare)
        _database(connection, ours)
        start = time.perf_counter()
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                        f"--dbname={bare}", str(work / "bare")], env=env, check=True)
        t["pg_restore"] = time.perf_counter() - start
        connection.settings_dict["NAME"] = ours
        start = time.perf_counter()
        done = restore(work / "b")
        t["restore"] = time.perf_counter() - start
        connection.close()
        connection.settings_dict["NAME"] = source
        _database(connection, bare, drop_only=True)
        _database(connection, ours, drop_only=True)
        size = sum(p.stat().st_size for p in (work / "b").rglob("*") if p.is_file())
        subprocess.run(["rm", "-rf", str(work)], check=False)

        print(f"world: {cases:,} cases, {done.rows:,} rows in {done.tables} tables, "
              f"{done.audit_entries:,} audit entries; the backup {size / 1e6:.0f} MB")
        print(f"backup  {t['backup']:.1f} s beside pg_dump alone {t['pg_dump']:.1f} s "
              f"({t['backup'] / t['pg_dump']:.2f} ×; target: within 1.5 × the bare dump)")
        print(f"restore {t['restore']:.1f} s beside pg_restore alone {t['pg_restore']:.1f} s "
              f"({t['restore'] / t['pg_restore']:.2f} ×, counts and the chain's walk included; "
              f"target: within 2 × the bare restore)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
