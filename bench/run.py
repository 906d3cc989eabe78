"""`make bench`: run every benchmark in this folder, each in its own process on its own
throwaway database (SQLite, or DATABASE_URL's server if set), and print their figures.

    python bench/run.py [--quick]

--quick runs a tenth of the size or less (5,000 rows, 100,000 entries, 3,000 messages, 30,000 cases,
30 applicants for 3 s a step, 100 clients for 10 places, 10,000 loans) to check the benches
themselves; the targets are for the full size.
cases_scale.py, booking_rush.py and backup_restore.py need PostgreSQL (DATABASE_URL) and say they skipped
on SQLite.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ("import_people.py", ["--rows", "5000"]),
    ("verify_audit.py", ["--entries", "100000"]),
    ("notify_dispatch.py", ["--recipients", "1500"]),
    ("campaign_dispatch.py", ["--recipients", "3000"]),
    ("cases_scale.py", ["--cases", "30000", "--runs", "20"]),
    ("cases_submit_http.py", ["--applicants", "30", "--seconds", "3"]),
    ("booking_rush.py", ["--clients", "100", "--places", "10"]),
    ("loans_sweep.py", ["--loans", "10000"]),
    ("backup_restore.py", ["--cases", "30000"]),
    ("assistant_eval.py", ["--services", "50", "--faqs", "200"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    headlines: list[str] = []
    failed = []
    for script, quick_args in BENCHES:
        print(f"== {script}", flush=True)
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(HERE / script), *(quick_args if args.quick else [])],
                                   stdout=subprocess.PIPE, text=True, cwd=HERE.parent)
        for line in process.stdout:
            print(line, end="", flush=True)
            if "target" in line:
                headlines.append(line.strip())
        if process.wait() != 0:
            failed.append(script)
        print(f"   ({script}: {time.perf_counter() - started:.0f} s)\n", flush=True)
    print("== figures")
    for line in headlines:
        print(f"  {line}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
