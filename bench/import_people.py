"""How long importing a 50,000-row people file takes, against the time it takes merely
to read the file, and how much memory it needs (it should stream, not hold the file).

    python bench/import_people.py [--rows N] [--profile]

Figures: the first import (every row created), a re-run of the same file (every row
unchanged), and a file in which every tenth row changed (updates). The anchor is
openpyxl reading every row in read-only mode, measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

from _setup import bench_database, officer_with_colleges, timed

REGIONS = ("110105", "310104", "440305", "330106")
COLLEGES = ["经济学院", "法学院", "计算机学院", "医学院", "外国语学院", "化学学院"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
HEADERS = ["姓名", "身份证号", "学号", "学院", "人员类别", "入学年份", "手机号"]
FULL = 50_000
TARGET_SECONDS = 30
TARGET_RATIO = 2


def person_row(i: int, *, changed: bool = False) -> list:
    """Row i of the synthetic file: (region, birth day, sequence) is a bijection of i,
    so all ID numbers differ; student and phone numbers are unique by construction."""
    from tongban.people import idnumber

    region = REGIONS[i % 4]
    birth = dt.date(2000, 1, 1) + dt.timedelta(days=(i // 4) % 2500)
    sequence = i // 10_000
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
    category = "本科生" if i % 5 else "研究生"
    year = 2021 + i % 5
    return [name + ("二" if changed else ""), idnumber.make(region, birth, sequence), f"2025{i:06d}",
            COLLEGES[i % len(COLLEGES)], category, year, f"138{i:08d}"]


def write_file(path: Path, rows: int, *, change_every: int = 0) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员")
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append(person_row(i, changed=bool(change_every) and i % change_every == 0))
    book.save(path)


def read_alone(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count - 1


def max_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=FULL)
    parser.add_argument("--profile", action="store_true", help="profile the first import with cProfile")
    args = parser.parse_args()
    rows = args.rows

    with bench_database() as where, tempfile.TemporaryDirectory() as tmp:
        from tongban.audit.chain import verify
        from tongban.audit.models import AuditEntry
        from tongban.people.imports import import_people
        from tongban.people.models import Person

        print(f"database: {where}")
        officer = officer_with_colleges(COLLEGES)
        path, changed_path = Path(tmp) / "people.xlsx", Path(tmp) / "people-changed.xlsx"
        t: dict[str, float] = {}
        with timed(t, "write"):
            write_file(path, rows)
            write_file(changed_path, rows, change_every=10)
        print(f"wrote two {rows:,}-row files in {t['write']:.1f} s ({path.stat().st_size / 2**20:.1f} MB each)")

        # The anchor is the better of two reads: the machine's noise should not flatter the ratio.
        reads = []
        for _ in range(2):
            with timed(t, "read"):
                assert read_alone(path) == rows
            reads.append(t["read"])
        t["read"] = min(reads)

        rss_before = max_rss_mb()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            with timed(t, "import"):
                first = profiler.runcall(import_people, actor=officer, path=path)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            with timed(t, "import"):
                first = import_people(actor=officer, path=path)
        rss_growth = max_rss_mb() - rss_before
        assert (first.total, first.created, len(first.errors)) == (rows, rows, 0), first.problems[:5]
        assert Person.objects.count() == rows

        with timed(t, "rerun"):
            again = import_people(actor=officer, path=path)
        assert (again.created, again.updated, again.unchanged) == (0, 0, rows)

        with timed(t, "updates"):
            changed = import_people(actor=officer, path=changed_path)
        expected_updates = len(range(0, rows, 10))
        assert (changed.created, changed.updated, changed.unchanged) == (0, expected_updates, rows - expected_updates)

        # The whole trail: the setup's entries, one per row created or updated, one per run.
        with timed(t, "verify"):
            verdict = verify(AuditEntry.objects.all())
        assert verdict.ok

        ratio = t["import"] / t["read"]
        # The 30 s is for the full 50,000 rows; the ratio holds at any size.
        ok = ratio <= TARGET_RATIO and (rows != FULL or t["import"] <= TARGET_SECONDS)
        print(f"import {rows:,} rows: {t['import']:.1f} s (read alone: {t['read']:.1f} s, ratio {ratio:.1f}×; "
              f"target ≤ {TARGET_SECONDS} s and ≤ {TARGET_RATIO}×) {'OK' if ok else 'MISSED'}")
        print(f"  throughput {rows / t['import']:,.0f} rows/s; peak RSS grew {rss_growth:.0f} MB during the import")
        print(f"  re-run, all unchanged: {t['rerun']:.1f} s ({t['rerun'] / t['read']:.1f}× read)")
        print(f"  re-run, {expected_updates:,} updated: {t['updates']:.1f} s ({t['updates'] / t['read']:.1f}× read)")
        print(f"  audit chain afterwards: {verdict.count:,} entries, whole (verified in {t['verify']:.1f} s)")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"  (bench took {time.perf_counter() - started:.0f} s in all)")
