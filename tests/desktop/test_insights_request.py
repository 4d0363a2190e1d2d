"""What the desktop sends the insights service: each account's last three years, the newest
first when a byte budget is met, so the request fits the wire's frame. A 141,000-row ledger
made a 19.3 MB request, over the 16 MiB limit: refused as bad_request, and the Insights page
showed its last results for ever after (audit 8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from data.ledger import Ledger
from desktop import insighting


def test_each_account_sends_its_last_three_years(
    filled_ledger: Path, write_statement: Any, tmp_path: Path
) -> None:
    # filled_ledger: 2024-01-01 to 2025-11-30. An account closed in 2008: its statements of
    # 2007-08 go, its 2000-01 ones (more than three years before its newest row) stay home.
    with Ledger.open(filled_ledger) as ledger:
        for start in (dt.date(2000, 1, 1), dt.date(2007, 1, 1)):
            statement = write_statement(tmp_path / f"{start.year}.csv", 700, start=start)
            ledger.import_file(statement, "Old Account", currency="USD")
        rows = insighting.ledger_rows(ledger)
        names = {t.id: t.account for t in ledger.iter_transactions()}
    by_account: dict[str, list[str]] = {}
    for r in rows:
        by_account.setdefault(names[r["id"]], []).append(r["date"])
    assert min(by_account["Checking"]) == "2024-01-01"  # all of it: under three years
    assert len(by_account["Checking"]) == 1000
    assert min(by_account["Old Account"]) == "2007-01-01"
    assert max(by_account["Old Account"]) == "2008-11-30"
    assert len(by_account["Old Account"]) == 700
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)  # oldest first


def test_a_budget_keeps_the_newest_rows(filled_ledger: Path) -> None:
    with Ledger.open(filled_ledger) as ledger:
        every = insighting.ledger_rows(ledger)
        some = insighting.ledger_rows(ledger, budget=40_000)
    assert 0 < len(some) < len(every)
    assert some == every[-len(some) :]  # the newest, oldest first
