"""The dashboard's numbers: aggregates over the ledger in SQL, run on the reading lane.

Money stays in integer minor units. Transfers between the person's own accounts (a category whose
name contains "transfer", or a card repayment) are left out of income and spending so they are not
counted twice. Reads the ledger's connection directly because the Ledger API has no aggregate
queries yet (requested from its owner); it only ever reads, never writes.
This module must never import Qt.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import Any

TRANSFER_SQL = (
    "(c.name IS NULL OR lower(c.name) NOT LIKE '%transfer%') "
    "AND lower(t.description) NOT LIKE '%payment to credit card%' "
    "AND lower(t.description) NOT LIKE '%payment - thank you%' "
    "AND lower(t.description) NOT LIKE '%transfer to savings%'"
)


@dataclass
class Report:
    """Everything the dashboard draws, for one currency."""

    currency: str = "USD"
    transactions: int = 0
    month: dt.date | None = None  # the month shown (the latest with data)
    by_category: list[tuple[str, int]] = field(default_factory=list)  # spending this month
    months: list[dt.date] = field(default_factory=list)  # last 12 months, oldest first
    income: list[int] = field(default_factory=list)
    expenses: list[int] = field(default_factory=list)  # positive numbers
    balance: list[tuple[dt.date, int]] = field(default_factory=list)  # month end, all accounts
    top_payees: list[tuple[str, int]] = field(default_factory=list)  # last 12 months
    pending: int = 0  # rows waiting for the categorizer


def _conn(ledger: Any) -> sqlite3.Connection:
    conn = ledger._conn  # no aggregate API on Ledger yet; read-only use
    assert isinstance(conn, sqlite3.Connection)
    return conn


def _month_start(d: dt.date, back: int = 0) -> dt.date:
    y, m = d.year, d.month - back
    while m <= 0:
        m += 12
        y -= 1
    return dt.date(y, m, 1)


def build(ledger: Any, today: dt.date | None = None) -> Report:
    """Compute the dashboard's report (the most common currency; other currencies are left out)."""
    conn = _conn(ledger)
    report = Report()
    row = conn.execute(
        "SELECT currency, count(*) FROM transactions GROUP BY currency ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return report
    cur = report.currency = row[0]
    report.transactions = conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
    report.pending = conn.execute(
        "SELECT count(*) FROM transactions WHERE categorize_state = 'pending'"
    ).fetchone()[0]
    latest = dt.date.fromisoformat(
        conn.execute("SELECT max(date) FROM transactions WHERE currency = ?", (cur,)).fetchone()[0]
    )
    today = today or dt.date.today()
    anchor = min(today, latest) if latest.replace(day=1) < today.replace(day=1) else today
    month = _month_start(anchor)
    if latest < month:
        month = _month_start(latest)
    report.month = month
    nxt = _month_start(month, -1)
    joins = "FROM transactions t LEFT JOIN categories c ON c.id = t.category_id"
    report.by_category = [
        (name, int(total))
        for name, total in conn.execute(
            f"SELECT coalesce(c.name, 'Uncategorized'), -sum(t.amount) {joins} "
            f"WHERE t.amount < 0 AND t.currency = ? AND t.date >= ? AND t.date < ? "
            f"AND {TRANSFER_SQL} GROUP BY 1 ORDER BY 2 DESC",
            (cur, month.isoformat(), nxt.isoformat()),
        )
    ]
    first = _month_start(month, 11)
    report.months = [_month_start(month, 11 - i) for i in range(12)]
    sums = {
        m: (int(inc), int(exp))
        for m, inc, exp in conn.execute(
            f"SELECT substr(t.date, 1, 7), sum(max(t.amount, 0)), -sum(min(t.amount, 0)) {joins} "
            f"WHERE t.currency = ? AND t.date >= ? AND t.date < ? AND {TRANSFER_SQL} GROUP BY 1",
            (cur, first.isoformat(), nxt.isoformat()),
        )
    }
    report.income = [sums.get(m.isoformat()[:7], (0, 0))[0] for m in report.months]
    report.expenses = [sums.get(m.isoformat()[:7], (0, 0))[1] for m in report.months]
    report.balance = _balance(conn, cur)
    report.top_payees = [
        (payee, int(total))
        for payee, total in conn.execute(
            f"SELECT t.payee, -sum(t.amount) {joins} WHERE t.amount < 0 AND t.currency = ? "
            f"AND t.date >= ? AND t.date < ? AND {TRANSFER_SQL} "
            "GROUP BY t.payee ORDER BY 2 DESC LIMIT 8",
            (cur, first.isoformat(), nxt.isoformat()),
        )
    ]
    return report


def _day_end_balance(rows: list[tuple[int, int]]) -> int:
    """The balance after the last of one day's rows, whatever order the file listed them in.

    The day started at S = b - a for the row that came first, and ends at S + sum(day); that end
    is one of the stated balances. Falls back to the first stated balance if none fits.
    """
    total = sum(a for a, _ in rows)
    stated = {b for _, b in rows}
    for a, b in rows:
        if b - a + total in stated:
            return b - a + total
    return rows[0][1]


def _balance(conn: sqlite3.Connection, currency: str) -> list[tuple[dt.date, int]]:
    """Month-end balance of all accounts together: running sums, anchored to stated balances."""
    per_account: list[dict[str, int]] = []
    accounts = conn.execute(
        "SELECT DISTINCT account_id FROM transactions WHERE currency = ?", (currency,)
    ).fetchall()
    for (account_id,) in accounts:
        monthly = conn.execute(
            "SELECT substr(date, 1, 7), sum(amount) FROM transactions "
            "WHERE account_id = ? AND currency = ? GROUP BY 1 ORDER BY 1",
            (account_id, currency),
        ).fetchall()
        offset = 0
        # The bank's own running balance, where the statement has one, fixes the starting point.
        last_day = conn.execute(
            "SELECT max(date) FROM transactions WHERE account_id = ? AND balance IS NOT NULL",
            (account_id,),
        ).fetchone()[0]
        if last_day is not None:
            rows = conn.execute(
                "SELECT amount, balance FROM transactions WHERE account_id = ? AND date = ? "
                "AND balance IS NOT NULL",
                (account_id, last_day),
            ).fetchall()
            upto = conn.execute(
                "SELECT sum(amount) FROM transactions WHERE account_id = ? AND currency = ? "
                "AND date <= ?",
                (account_id, currency, last_day),
            ).fetchone()[0]
            offset = _day_end_balance([(int(a), int(b)) for a, b in rows]) - int(upto)
        running = offset
        series: dict[str, int] = {}
        for month, amount in monthly:
            running += int(amount)
            series[month] = running
        per_account.append(series)
    months = sorted({m for series in per_account for m in series})
    out: list[tuple[dt.date, int]] = []
    last: list[int | None] = [None] * len(per_account)
    for m in months:
        # A month in which an account had no rows carries that account's balance forward.
        for i, series in enumerate(per_account):
            if m in series:
                last[i] = series[m]
        out.append((dt.date.fromisoformat(m + "-01"), sum(v for v in last if v is not None)))
    return out
