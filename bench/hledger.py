"""Import against a peer (issue 8): the same generated 100k-row statement read by hledger with a
hand-written CSV rules file, by the whole `fincast import` process, and by the floor (csv.reader +
one executemany into SQLite), all in one run. hledger comes from Debian's `hledger` package; when it
is missing the script says so and records only our side.

Usage: python bench/hledger.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine_info, median, run_child, write_result

# bench/import.py owns the statement generator and the floor; "import" is a keyword: load by path.
_spec = importlib.util.spec_from_file_location("bench_import", HERE / "import.py")
assert _spec is not None and _spec.loader is not None
bench_import = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_import)

FINCAST = Path(sys.executable).with_name("fincast")

# What a person writes for hledger to read that statement: field names, date format, two accounts.
RULES = """\
skip 1
fields date, description, amount, balance
date-format %Y-%m-%d
currency £
account1 assets:bank:current
account2 expenses:unknown
"""


def hledger_version() -> str | None:
    """hledger's version line, or None when it is not installed."""
    exe = shutil.which("hledger")
    if exe is None:
        return None
    return str(run_child([exe, "--version"])["stdout"]).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    version = hledger_version()
    result: dict[str, object] = {"machine": machine_info(), "rows": args.rows, "hledger": version}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        statement = work / "statement.csv"
        bench_import.generate(statement, args.rows)
        rules = work / "statement.csv.rules"
        rules.write_text(RULES)
        runs: dict[str, list[float]] = {"fincast": [], "floor": [], "hledger": []}
        for run in range(args.repeat):
            db = work / f"fincast-{run}.sqlite"
            child = run_child(
                [
                    str(FINCAST),
                    "import",
                    str(statement),
                    "--account",
                    "Main",
                    "--db",
                    str(db),
                    "--no-categorize",
                    "--json",
                ]
            )
            if child["returncode"] != 0:
                raise SystemExit(f"fincast import failed: {child['stderr'][-500:]}")
            runs["fincast"].append(float(child["seconds"]))
            runs["floor"].append(bench_import.measure("floor", statement, work, run)["seconds"])
            if version:
                child = run_child(
                    [
                        "hledger",
                        "-f",
                        str(statement),
                        "--rules-file",
                        str(rules),
                        "print",
                        "-O",
                        "csv",
                    ]
                )
                if child["returncode"] != 0:
                    raise SystemExit(f"hledger failed: {child['stderr'][-500:]}")
                runs["hledger"].append(float(child["seconds"]))
    fincast_s, floor_s = median(runs["fincast"]), median(runs["floor"])
    result["fincast_process_seconds"] = fincast_s
    result["floor_seconds"] = floor_s
    result["fincast_vs_floor"] = fincast_s / floor_s
    print(f"rows: {args.rows:,}  (medians of {args.repeat} runs)")
    print(
        f"  fincast import (whole process): {fincast_s:8.2f} s   {fincast_s / floor_s:6.1f}x floor"
    )
    print(f"  floor (csv.reader+executemany): {floor_s:8.2f} s")
    if version:
        hledger_s = median(runs["hledger"])
        result["hledger_seconds"] = hledger_s
        result["hledger_vs_fincast"] = hledger_s / fincast_s
        print(f"  {version}: {hledger_s:8.2f} s   fincast is {hledger_s / fincast_s:.1f}x faster")
    else:
        print("  hledger: not installed (apt-get install hledger); peer not measured")
    print(f"wrote {write_result('hledger', result)}")


if __name__ == "__main__":
    main()
