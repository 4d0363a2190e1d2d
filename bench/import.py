"""Import benchmark (issue 2 item 7): generated 100k- and 1M-row statements imported three ways
in the same run, each in its own child process so peak memory is that process's alone:

  floor    csv.reader + one executemany of the raw rows into a plain SQLite table
  library  Ledger.open(...).import_file(...)  (detect, parse, fingerprint, payee, commit)
  cli      the whole `fincast import FILE --account A --db X --no-categorize --json` process

Targets: library within 2x of the floor; peak memory under 300 MB at 1M rows.
Usage: python bench/import.py [--sizes 100000,1000000] [--repeat 3] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_info, median, run_child, write_result

FINCAST = Path(sys.executable).with_name("fincast")
RATIO_LIMIT = 2.0
MEMORY_LIMIT_MB = 300.0

MERCHANTS = [
    "CARD PAYMENT TO TESCO STORES {n} LONDON",
    "AMAZON MKTPLACE PMTS {n}",
    "NETFLIX.COM",
    "DIRECT DEBIT THAMES WATER",
    "UBER *TRIP {n} HELP.UBER.COM",
    "STARBUCKS STORE {n}",
    "SALARY ACME LTD",
    "TFL TRAVEL CHARGE {n}",
    "PAYPAL *SPOTIFY {n}",
    "SHELL {n} PETROL",
    "SAINSBURYS S/MKT {n}",
    "TRANSFER TO SAVINGS {n}",
    "BOOTS {n} OXFORD ST",
    "RENT STANDING ORDER",
]

FLOOR = """
import csv, sqlite3, sys, time
path, db = sys.argv[1], sys.argv[2]
start, cpu = time.perf_counter(), time.process_time()
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL"); conn.execute("PRAGMA synchronous = NORMAL")
conn.execute("CREATE TABLE rows (date TEXT, description TEXT, amount TEXT, balance TEXT)")
with open(path, newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle)
    next(reader)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO rows VALUES (?, ?, ?, ?)", reader)
    conn.execute("COMMIT")
print(time.perf_counter() - start, time.process_time() - cpu)
"""

LIBRARY = """
import sys, time
from data.ledger import Ledger
path, db = sys.argv[1], sys.argv[2]
start, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
with Ledger.open(db) as ledger:
    result = ledger.import_file(path, "Main")
print(time.perf_counter() - start, time.process_time() - cpu, result.imported,
      time.thread_time() - own)
"""


STAGES = """
import json, sys, time
from pathlib import Path
from data.importer import Fingerprinter, detect, iter_row_tuples, iter_rows
from data.payee import normalize_payee
path = Path(sys.argv[1])
t0 = time.process_time()
detection = detect(path)
t1 = time.process_time()
# the rows as the library reads them (plain tuples from the importer's inline loop)
for _ in iter_row_tuples(detection):
    pass
t2 = time.process_time()
descriptions = {row.description for row in iter_rows(detection)}
fingerprint = Fingerprinter().of
fingerprint_cpu = 0.0
batch = []
def fingerprint_batch():
    # only the fingerprint calls are timed: another pass over the rows is not theirs
    global fingerprint_cpu
    start = time.process_time()
    for args in batch:
        fingerprint(*args)
    fingerprint_cpu += time.process_time() - start
    batch.clear()
for row in iter_rows(detection):
    batch.append((row.date.isoformat(), row.amount, row.description))
    if len(batch) >= 50_000:
        fingerprint_batch()
fingerprint_batch()
t3 = time.process_time()
for d in descriptions:
    normalize_payee(d)
t4 = time.process_time()
print(json.dumps({"detect": t1 - t0, "iter_rows": t2 - t1,
                  "fingerprint": fingerprint_cpu,
                  "payee_distinct": t4 - t3,
                  "payee_per_distinct_us": (t4 - t3) / max(1, len(descriptions)) * 1e6,
                  "distinct_descriptions": len(descriptions)}))
"""


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic statement: ISO dates oldest first, signed amounts, running balance."""
    rng = random.Random(seed)
    day = dt.date(2015, 1, 1)
    balance = 500_000
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Date,Description,Amount,Balance\n")
        for i in range(rows):
            if rng.random() < min(0.3, 10_000 / rows):  # at most ~30 years of dates
                day += dt.timedelta(days=1)
            desc = rng.choice(MERCHANTS).format(n=rng.randint(1, 999))
            amount = rng.randint(-25_000, -50) if rng.random() < 0.9 else rng.randint(1000, 300_000)
            balance += amount
            out.write(
                f"{day.isoformat()},{desc},{amount / 100:.2f},{balance / 100:.2f}\n"
                if i % 50
                else f'{day.isoformat()},"{desc}, REF {i}",{amount / 100:.2f},{balance / 100:.2f}\n'
            )


def _checked(kind: str, statement: Path, argv: list[str]) -> dict[str, Any]:
    child = run_child(argv)
    if child["returncode"] != 0:
        raise SystemExit(f"{kind} failed on {statement.name}: {child['stderr'].strip()}")
    return child


def measure(kind: str, statement: Path, workdir: Path, run: int) -> dict[str, float]:
    db = workdir / f"{kind}-{statement.stem}-{run}.sqlite"
    extra: dict[str, float] = {}
    if kind == "floor":
        child = _checked(kind, statement, [sys.executable, "-c", FLOOR, str(statement), str(db)])
        inner, inner_cpu = (float(x) for x in child["stdout"].split()[:2])
    elif kind == "library":
        child = _checked(kind, statement, [sys.executable, "-c", LIBRARY, str(statement), str(db)])
        inner, inner_cpu, _, main_cpu = (float(x) for x in child["stdout"].split())
        # the calling thread's share: parsing, staging, the commit; the rest is the import's
        # worker thread (SQLite's indexed inserts), which overlaps it
        extra = {"main_thread_cpu_seconds": main_cpu}
    else:
        child = _checked(
            kind,
            statement,
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
            ],
        )
        inner, inner_cpu = child["seconds"], child["cpu_seconds"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return {
        "seconds": inner,
        "cpu_seconds": inner_cpu,
        "process_seconds": child["seconds"],
        "peak_rss_mb": child["peak_rss_mb"],
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size below 1M (1M: 1)")
    parser.add_argument(
        "--out", type=Path, help="write the JSON here instead of bench/results/import.json"
    )
    args = parser.parse_args()
    results: dict[str, object] = {
        "machine": machine_info(),
        "targets": {
            "library_vs_floor_ratio_max": RATIO_LIMIT,
            "peak_rss_mb_max_at_1M": MEMORY_LIMIT_MB,
        },
    }
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="fincast-bench-") as tmp:
        workdir = Path(tmp)
        for size in sizes:
            statement = workdir / f"statement-{size}.csv"
            generate(statement, size)
            runs = 1 if size >= 1_000_000 else args.repeat
            per_kind: dict[str, list[dict[str, float]]] = {"floor": [], "library": [], "cli": []}
            for run in range(runs):
                for kind, measured in per_kind.items():  # interleaved: load hits all alike
                    measured.append(measure(kind, statement, workdir, run))
            summary = {
                kind: {
                    "seconds_median": median([r["seconds"] for r in runs_]),
                    "cpu_seconds_median": median([r["cpu_seconds"] for r in runs_]),
                    "process_seconds_median": median([r["process_seconds"] for r in runs_]),
                    "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs_),
                    "runs": runs_,
                }
                for kind, runs_ in per_kind.items()
            }
            stages = run_child([sys.executable, "-c", STAGES, str(statement)])
            if stages["returncode"] == 0:
                summary["stages"] = json.loads(stages["stdout"])
            floor = summary["floor"]["seconds_median"]
            lib = summary["library"]["seconds_median"]
            cli = summary["cli"]["seconds_median"]
            cpu = {k: summary[k]["cpu_seconds_median"] for k in per_kind}
            summary["library_vs_floor"] = lib / floor
            summary["library_vs_floor_cpu"] = cpu["library"] / cpu["floor"]
            summary["cli_vs_floor_cpu"] = cpu["cli"] / cpu["floor"]
            summary["cli_vs_floor"] = cli / floor
            summary["rows_per_second_library"] = size / lib
            main_cpu = median([r["main_thread_cpu_seconds"] for r in per_kind["library"]])
            summary["library"]["main_thread_cpu_seconds_median"] = main_cpu
            summary["file_mb"] = statement.stat().st_size / 1e6
            results[str(size)] = summary
            print(
                f"\n{size:,} rows ({summary['file_mb']:.1f} MB), median of {runs} "
                f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):"
            )
            for kind, label in (
                ("floor", "floor   (csv.reader + executemany)"),
                ("library", "library (Ledger.import_file)      "),
                ("cli", "cli     (fincast import process)  "),
            ):
                wall, used = summary[kind]["seconds_median"], cpu[kind]
                ratio = (
                    f"   {wall / floor:5.2f}x floor wall, {used / cpu['floor']:5.2f}x floor cpu"
                    if kind != "floor"
                    else ""
                )
                target = f" (target <= {RATIO_LIMIT}x)" if kind == "library" else ""
                print(
                    f"  {label} {wall:8.2f} s wall {used:8.2f} s cpu   "
                    f"peak {summary[kind]['peak_rss_mb_max']:6.1f} MB{ratio}{target}"
                )
            if "stages" in summary:
                st = summary["stages"]
                fp = st["fingerprint"]
                rest = cpu["library"] - st["detect"] - st["iter_rows"] - fp - st["payee_distinct"]
                st["ledger_write_and_rest"] = rest
                print(
                    f"  where the library's CPU time goes: detect {st['detect']:.2f} s, "
                    f"importer parse (iter_row_tuples) {st['iter_rows']:.2f} s, "
                    f"fingerprint {fp:.2f} s, "
                    f"payee {st['payee_distinct']:.2f} s ({st['distinct_descriptions']:,} distinct "
                    f"descriptions, {st['payee_per_distinct_us']:.0f} us each), ledger write "
                    f"(SQLite, the loop) {rest:.2f} s"
                )
            print(
                f"  library CPU by thread: calling thread {main_cpu:.2f} s (parse, fingerprint, "
                f"payee, staging, commit), import worker {cpu['library'] - main_cpu:.2f} s "
                "(indexed inserts, overlapping it)"
            )
            if size >= 1_000_000:
                peak = max(summary[k]["peak_rss_mb_max"] for k in ("library", "cli"))
                print(f"  peak memory {peak:.1f} MB (target < {MEMORY_LIMIT_MB:.0f} MB)")
    path = write_result("import", results, args.out)
    print(f"\nwrote {path}")
    print(json.dumps({k: v for k, v in results.items() if k == "targets"}))


if __name__ == "__main__":
    main()
