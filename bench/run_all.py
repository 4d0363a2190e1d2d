"""`make bench`: run every benchmark program in bench/, one after another (never in parallel: they
measure time on a 2-core machine), then write docs/benchmarks.md from their JSON results.

A benchmark that fails is reported and the others still run; the exit status says whether all ran.
Usage: python bench/run_all.py [--only NAME,NAME] [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Order: cheap and independent first; each entry is (script, arguments for the full run, quick run).
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("listing", [], ["--rows", "100000", "--repeat", "1"]),
    ("import", [], ["--sizes", "100000", "--repeat", "1"]),
    ("hledger", [], ["--rows", "20000", "--repeat", "1"]),
    ("categorize", [], ["--quick"]),
    ("forecast", [], []),
    ("insights", [], ["--seeds", "2"]),
    ("hub", [], ["--kills", "5"]),
    ("desktop", [], ["--rows", "100000", "--repeat", "1"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    failed: list[str] = []
    for name, full, quick in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        argv = [sys.executable, str(HERE / f"{name}.py"), *(quick if args.quick else full)]
        print(f"\n=== {name}: {' '.join(argv[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.run(argv, check=False).returncode
        print(f"=== {name}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    subprocess.run([sys.executable, str(HERE / "report.py")], check=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
