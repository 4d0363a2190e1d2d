"""Listing benchmark (issue 2 item 2): a 1,000,000-row ledger, then the queries the desktop and
the CLI make: first page, deep pages, each filter's first page, and counts. Medians of several
runs, printed beside the interactive limit, written to bench/results/listing.json.

Deep pages of a text filter are measured twice. "pages" are cold: no count of the filter came
before them (the CLI's way; the Ledger's marks are cleared before every run). "pages after
their count" follow one untimed count of the same filter on the same Ledger, which leaves marks
along the matches (data/ledger/marks.py): the desktop's way, which counts a filter to size the
scrollbar before it asks for any page, so a scrollbar jump is one of these.

The ledger is built through the Ledger's own schema (Ledger.open) with rows bulk-inserted in
SQL, because what is measured here is listing, not importing (bench/import.py does that).
Usage: python bench/listing.py [--rows 1000000] [--repeat 5] [--keep PATH] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_info, median, write_result

from data.ledger import Ledger, TxFilter

PAGE = 100
PAGE_LIMIT_S = 0.1  # a page must feel instant when scrolling or typing a filter
COUNT_LIMIT_S = 0.5  # a count may take a little longer (it feeds the scrollbar, once per filter)

WORDS = [
    "TESCO",
    "AMAZON",
    "NETFLIX",
    "UBER",
    "STARBUCKS",
    "SHELL",
    "SAINSBURYS",
    "BOOTS",
    "SPOTIFY",
    "RENT",
    "SALARY",
    "WATER",
    "COUNCIL TAX",
    "GYM",
    "PHARMACY",
    "BAKERY",
]
CATEGORIES = [
    "Groceries",
    "Shopping",
    "Subscriptions",
    "Transport",
    "Coffee",
    "Fuel",
    "Health",
    "Housing",
    "Income",
    "Utilities",
    "Eating out",
    "Fitness",
]


def build(path: Path, rows: int, seed: int = 11) -> dict[str, float]:
    """`rows` transactions over three accounts and ten years, 70% categorised, inserted account
    by account in date order, as importing each account's statements leaves them; returns the
    wall and CPU seconds the text index took to catch up with them (what the first search
    after importing them would pay)."""
    rng = random.Random(seed)
    with Ledger.open(path) as ledger:
        accounts = [ledger.ensure_account(n).id for n in ("Current", "Credit card", "Savings")]
        cats = [ledger.ensure_category(c).id for c in CATEGORIES]
        conn = ledger._conn
        conn.execute("BEGIN")
        # as an import does: rows first, their text indexed afterwards (the first search would)
        batch = conn.execute(
            "INSERT INTO batches (account_id, file_name) VALUES (?, 'bench')", (accounts[0],)
        ).lastrowid
        start = dt.date(2015, 1, 1).toordinal()
        chunk = []
        per_account = rows // len(accounts) + 1
        for i in range(rows):
            account = accounts[i // per_account]
            day = start + (i % per_account) * 3650 // per_account
            date = dt.date.fromordinal(day).isoformat()
            word = rng.choice(WORDS)
            desc = f"CARD PAYMENT {word} {rng.randrange(1000)} LONDON"
            categorised = rng.random() < 0.7
            source = rng.choice(("model", "model", "rule", "user")) if categorised else None
            chunk.append(
                (
                    account,
                    date,
                    rng.randint(-50_000, 20_000),
                    "GBP",
                    desc,
                    word.title(),
                    rng.choice(cats) if categorised else None,
                    source,
                    round(rng.random(), 3) if source == "model" else None,
                    "done" if categorised else rng.choice(("pending", "skipped")),
                    batch,
                    f"{i:032x}",
                    i + 2,
                )
            )
            if len(chunk) == 50_000:
                _insert(conn, chunk)
                chunk.clear()
        _insert(conn, chunk)
        conn.execute("COMMIT")
        started, cpu = time.perf_counter(), time.process_time()
        ledger.index_text()
        catch_up = {
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu,
        }
        print(
            f"text index caught up with {rows:,} rows in {catch_up['seconds']:.1f} s "
            f"({catch_up['cpu_seconds']:.1f} s CPU)"
        )
        conn.execute("ANALYZE")
    return catch_up


def _insert(conn, chunk) -> None:  # type: ignore[no-untyped-def]
    conn.executemany(
        "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
        "category_id, category_source, confidence, categorize_state, batch_id, fingerprint, line) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        chunk,
    )


def timed(
    fn: Callable[[], object], repeat: int, before: Callable[[], object] | None = None
) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `fn` (CPU time is what the query costs; on a shared
    machine the wall time also includes waiting for a core); `before` runs untimed before each."""
    wall, cpu = [], []
    result: object = None
    for _ in range(repeat):
        if before is not None:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return median(wall), median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the ledger at this path")
    parser.add_argument("--out", type=Path, help="write the JSON here, not bench/results/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fincast-listing-") as tmp:
        path = args.keep or Path(tmp) / "ledger.sqlite"
        catch_up: dict[str, float] | None = None
        if not path.exists():
            started = time.perf_counter()
            catch_up = build(path, args.rows)
            print(f"built {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        with Ledger.open(path) as ledger:
            total = ledger.count()
            savings = ledger.count(TxFilter(account="Savings"))
            month = (dt.date(2020, 6, 1), dt.date(2020, 6, 30))
            year = (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
            pages: dict[str, Callable[[], object]] = {
                "first page": lambda: ledger.transactions(limit=PAGE),
                "middle page": lambda: ledger.transactions(offset=total // 2, limit=PAGE),
                "deep page (last)": lambda: ledger.transactions(offset=total - PAGE, limit=PAGE),
                "oldest first, first page": lambda: ledger.transactions(
                    limit=PAGE, order="date_asc"
                ),
                "by amount, first page": lambda: ledger.transactions(
                    limit=PAGE, order="amount_asc"
                ),
                "account, first page": lambda: ledger.transactions(
                    TxFilter(account="Savings"), limit=PAGE
                ),
                "account, deep page": lambda: ledger.transactions(
                    TxFilter(account="Savings"), offset=savings - PAGE, limit=PAGE
                ),
                "one month, first page": lambda: ledger.transactions(
                    TxFilter(date_from=month[0], date_to=month[1]), limit=PAGE
                ),
                "text 'netflix', first page": lambda: ledger.transactions(
                    TxFilter(text="netflix"), limit=PAGE
                ),
                "text 'netflix', deep page": lambda: ledger.transactions(
                    TxFilter(text="netflix"), offset=50_000, limit=PAGE
                ),
                "text 'netflix', deep page, oldest first": lambda: ledger.transactions(
                    TxFilter(text="netflix"), offset=50_000, limit=PAGE, order="date_asc"
                ),
                "text 'netflix' in a year, deep page": lambda: ledger.transactions(
                    TxFilter(text="netflix", date_from=year[0], date_to=year[1]),
                    offset=4_000,
                    limit=PAGE,
                ),
                "text 'netflix' in an account, deep page": lambda: ledger.transactions(
                    TxFilter(text="netflix", account="Savings"), offset=15_000, limit=PAGE
                ),
                "text in every row ('london'), deep page": lambda: ledger.transactions(
                    TxFilter(text="london"), offset=500_000, limit=PAGE
                ),
                "text in every row ('london'), page": lambda: ledger.transactions(
                    TxFilter(text="london"), limit=PAGE
                ),
                "text, rare ('zzz'), first page": lambda: ledger.transactions(
                    TxFilter(text="zzz"), limit=PAGE
                ),
                "category, first page": lambda: ledger.transactions(
                    TxFilter(category="Coffee"), limit=PAGE
                ),
                "uncategorized, first page": lambda: ledger.transactions(
                    TxFilter(uncategorized=True), limit=PAGE
                ),
                "low confidence, first page": lambda: ledger.transactions(
                    TxFilter(low_confidence=0.5), limit=PAGE
                ),
                "pending queue (categorize loop)": lambda: ledger.pending_categorization(500),
            }
            counts: dict[str, Callable[[], object]] = {
                "count all": ledger.count,
                "count account": lambda: ledger.count(TxFilter(account="Savings")),
                "count one month": lambda: ledger.count(
                    TxFilter(date_from=month[0], date_to=month[1])
                ),
                "count text 'netflix'": lambda: ledger.count(TxFilter(text="netflix")),
                "count text 'london' (every row)": lambda: ledger.count(TxFilter(text="london")),
                "count text 'zzz' (none)": lambda: ledger.count(TxFilter(text="zzz")),
                "count category": lambda: ledger.count(TxFilter(category="Coffee")),
                "count uncategorized": lambda: ledger.count(TxFilter(uncategorized=True)),
                "count low confidence": lambda: ledger.count(TxFilter(low_confidence=0.5)),
            }
            netflix, london = TxFilter(text="netflix"), TxFilter(text="london")
            in_year = TxFilter(text="netflix", date_from=year[0], date_to=year[1])
            in_account = TxFilter(text="netflix", account="Savings")
            # (filter counted before, untimed; the page)
            counted: dict[str, tuple[TxFilter, Callable[[], object]]] = {
                "text 'netflix', deep page after its count": (
                    netflix,
                    lambda: ledger.transactions(netflix, offset=50_000, limit=PAGE),
                ),
                "text 'netflix', deep page, oldest first, after its count": (
                    netflix,
                    lambda: ledger.transactions(
                        netflix, offset=50_000, limit=PAGE, order="date_asc"
                    ),
                ),
                "text 'netflix' in a year, deep page after its count": (
                    in_year,
                    lambda: ledger.transactions(in_year, offset=4_000, limit=PAGE),
                ),
                "text 'netflix' in an account, deep page after its count": (
                    in_account,
                    lambda: ledger.transactions(in_account, offset=15_000, limit=PAGE),
                ),
                "text in every row ('london'), deep page after its count": (
                    london,
                    lambda: ledger.transactions(london, offset=500_000, limit=PAGE),
                ),
                "text in every row ('london'), last page after its count": (
                    london,
                    lambda: ledger.transactions(london, offset=total - PAGE, limit=PAGE),
                ),
            }
            figures: dict[str, dict[str, float | str]] = {}
            print(
                f"\n{total:,} transactions, median of {args.repeat} runs "
                f"(load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
                f"on {os.cpu_count()} CPUs; limits judged on CPU time)"
            )
            forget = ledger._marks.clear  # cold: no marks from an earlier count

            def report(
                group: str, name: str, limit: float, timing: tuple[float, float, object]
            ) -> None:
                seconds, cpu, result = timing
                figures[name] = {
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "limit": limit,
                    "group": group,
                }
                shown = result if group == "counts" else len(result)  # type: ignore[arg-type]
                flag = "ok" if cpu <= limit else "OVER"
                print(
                    f"  {name:<58} {seconds * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms cpu "
                    f"(limit {limit * 1000:.0f} ms) {flag:4}  [{shown}]"
                )

            print("pages (cold: no count of the filter before them)")
            for name, fn in pages.items():
                report("pages", name, PAGE_LIMIT_S, timed(fn, args.repeat, before=forget))
            print("counts (each also marks the matches of a text filter)")
            for name, fn in counts.items():
                report("counts", name, COUNT_LIMIT_S, timed(fn, args.repeat, before=forget))
            print("pages after their count (the desktop's way: count, then pages)")
            for name, (flt, fn) in counted.items():
                forget()
                ledger.count(flt)
                group = "pages after their count"
                report(group, name, PAGE_LIMIT_S, timed(fn, args.repeat))
    data: dict[str, object] = {
        "machine": machine_info(),
        "rows": total,
        "page_size": PAGE,
        "figures": figures,
        "groups": {
            "pages": "cold: no count of the filter before the page (the CLI's way)",
            "pages after their count": (
                "one untimed count of the same filter first, on the same Ledger (the desktop's "
                "way: it counts a filter to size the scrollbar before asking for pages)"
            ),
            "counts": "each count of a text filter also marks its matches for later pages",
        },
    }
    if catch_up is not None:  # only when this run built the ledger
        data["text_index_catch_up"] = catch_up
    out = write_result("listing", data, args.out)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
