"""Aggregate reads over the ledger for dashboards and reports: totals by month, category and
payee, and month-end balances, all in integer minor units of one currency.

Only reads; never writes and never mixes currencies. Ranges are [start, end): `start` inclusive,
`end` exclusive, so a month is (first day, first day of the next month). Used through the Ledger
methods of the same names, which own the connection.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from data.transfers import NOT_TRANSFER_SQL

_JOINS = "FROM transactions t LEFT JOIN categories c ON c.id = t.category_id"
UNCATEGORIZED = "Uncategorized"


@dataclass(frozen=True)
class LedgerStats:
    """Counts for a dashboard header: rows, rows waiting for the categorizer, the currency most
    rows are in (None for an empty ledger) and that currency's newest date."""

    transactions: int
    pending: int
    main_currency: str | None
    latest: dt.date | None
    # every currency the rows are in, as (code, rows, its newest date), most rows first
    currencies: tuple[tuple[str, int, dt.date], ...] = ()


@dataclass(frozen=True)
class MonthTotals:
    """Money in and out in one month (both non-negative), transfers left out if asked."""

    month: dt.date  # the first day of the month
    income: int
    expenses: int


def _where(exclude_transfers: bool) -> str:
    """WHERE for (currency, start, end) parameters, with the transfer rule if asked."""
    # money moved between the person's own accounts is neither income nor spending
    rule = f" AND {NOT_TRANSFER_SQL}" if exclude_transfers else ""
    return f"WHERE t.currency = ? AND t.date >= ? AND t.date < ?{rule}"


def stats(conn: sqlite3.Connection) -> LedgerStats:
    """See LedgerStats."""
    total = conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
    pending = conn.execute(
        "SELECT count(*) FROM transactions WHERE categorize_state = 'pending'"
    ).fetchone()[0]
    currencies = tuple(
        (str(code), int(rows), dt.date.fromisoformat(newest))
        for code, rows, newest in conn.execute(
            "SELECT currency, count(*), max(date) FROM transactions GROUP BY currency "
            "ORDER BY count(*) DESC, currency"
        )
    )
    if not currencies:
        return LedgerStats(int(total), int(pending), None, None)
    main, _, latest = currencies[0]
    return LedgerStats(int(total), int(pending), main, latest, currencies)


def spending_by_category(
    conn: sqlite3.Connection,
    currency: str,
    start: dt.date,
    end: dt.date,
    exclude_transfers: bool = True,
) -> list[tuple[str, int]]:
    """(category name or 'Uncategorized', money spent as a positive number), largest first."""
    rows = conn.execute(
        f"SELECT coalesce(c.name, '{UNCATEGORIZED}'), -sum(t.amount) {_JOINS} "
        f"{_where(exclude_transfers)} AND t.amount < 0 "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        (currency, start.isoformat(), end.isoformat()),
    )
    return [(name, int(total)) for name, total in rows]


def newest_day(conn: sqlite3.Connection, currency: str, upto: dt.date) -> dt.date | None:
    """The newest date up to `upto` with a row in `currency`.

    The newest rows are usually in it: a few thousand are read down the date index. Otherwise
    one plain scan of the table, not a walk down the index fetching every newer row (3 s at a
    million rows for a currency with none)."""
    day = upto.isoformat()
    row = conn.execute(
        "SELECT date FROM (SELECT date, currency FROM transactions WHERE date <= ? "
        "ORDER BY date DESC, id DESC LIMIT ?) WHERE currency = ? LIMIT 1",
        (day, NEWEST_PROBE_ROWS, currency),
    ).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT max(date) FROM transactions NOT INDEXED WHERE currency = ? AND date <= ?",
            (currency, day),
        ).fetchone()
    return None if row is None or row[0] is None else dt.date.fromisoformat(row[0])


NEWEST_PROBE_ROWS = 5_000


def monthly_totals(
    conn: sqlite3.Connection,
    currency: str,
    start: dt.date,
    end: dt.date,
    exclude_transfers: bool = True,
) -> list[MonthTotals]:
    """Income and expenses of every month in the range that has rows, oldest first."""
    rows = conn.execute(
        f"SELECT substr(t.date, 1, 7), sum(max(t.amount, 0)), -sum(min(t.amount, 0)) {_JOINS} "
        f"{_where(exclude_transfers)} GROUP BY 1 ORDER BY 1",
        (currency, start.isoformat(), end.isoformat()),
    )
    return [
        MonthTotals(dt.date.fromisoformat(f"{month}-01"), int(inc), int(exp))
        for month, inc, exp in rows
    ]


def monthly_category_totals(
    conn: sqlite3.Connection,
    currency: str,
    start: dt.date,
    end: dt.date,
    exclude_transfers: bool = True,
) -> list[tuple[dt.date, str, int]]:
    """(first of month, category or 'Uncategorized', net amount: negative = spent), by month
    then category name."""
    rows = conn.execute(
        f"SELECT substr(t.date, 1, 7), coalesce(c.name, '{UNCATEGORIZED}'), sum(t.amount) "
        f"{_JOINS} {_where(exclude_transfers)} GROUP BY 1, 2 ORDER BY 1, 2",
        (currency, start.isoformat(), end.isoformat()),
    )
    return [(dt.date.fromisoformat(f"{m}-01"), name, int(total)) for m, name, total in rows]


def top_payees(
    conn: sqlite3.Connection,
    currency: str,
    start: dt.date,
    end: dt.date,
    *,
    limit: int = 8,
    exclude_transfers: bool = True,
) -> list[tuple[str, int]]:
    """The `limit` payees money was spent on most, as (payee, positive amount)."""
    rows = conn.execute(
        f"SELECT t.payee, -sum(t.amount) {_JOINS} "
        f"{_where(exclude_transfers)} AND t.amount < 0 "
        "GROUP BY t.payee ORDER BY 2 DESC, 1 LIMIT ?",
        (currency, start.isoformat(), end.isoformat(), max(0, limit)),
    )
    return [(payee, int(total)) for payee, total in rows]


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


def month_end_balances(conn: sqlite3.Connection, currency: str) -> list[tuple[dt.date, int]]:
    """Month-end balance of all accounts in `currency` together, oldest month first: running
    sums, anchored to the bank's stated running balance where a statement had one; a month in
    which an account had no rows carries its balance forward."""
    # One plain scan of the table for every account's monthly sums and newest stated balance:
    # walking each account's rows down its index, three times, took 7 s at a million rows.
    months: dict[int, list[tuple[str, int, str | None]]] = {}
    for account_id, month, total, stated_day in conn.execute(
        "SELECT account_id, substr(date, 1, 7), sum(amount), "
        "max(CASE WHEN balance IS NOT NULL THEN date END) "
        "FROM transactions NOT INDEXED WHERE currency = ? GROUP BY 1, 2 ORDER BY 1, 2",
        (currency,),
    ):
        months.setdefault(account_id, []).append((month, int(total), stated_day))
    per_account: list[dict[str, int]] = []
    for account_id, monthly in months.items():
        offset = 0
        last_day = max((day for _, _, day in monthly if day is not None), default=None)
        if last_day is not None:
            stated = conn.execute(
                "SELECT amount, balance FROM transactions WHERE account_id = ? AND currency = ? "
                "AND date = ? AND balance IS NOT NULL ORDER BY id",
                (account_id, currency, last_day),
            ).fetchall()
            # the months before the stated day's, then that month up to the day
            month_start = last_day[:7] + "-01"
            upto = sum(total for month, total, _ in monthly if month < last_day[:7])
            upto += conn.execute(
                "SELECT coalesce(sum(amount), 0) FROM transactions WHERE account_id = ? "
                "AND currency = ? AND date >= ? AND date <= ?",
                (account_id, currency, month_start, last_day),
            ).fetchone()[0]
            offset = _day_end_balance([(int(a), int(b)) for a, b in stated]) - int(upto)
        running = offset
        series: dict[str, int] = {}
        for month, amount, _ in monthly:
            running += amount
            series[month] = running
        per_account.append(series)
    out: list[tuple[dt.date, int]] = []
    last: list[int | None] = [None] * len(per_account)
    for month in sorted({m for series in per_account for m in series}):
        for i, series in enumerate(per_account):
            if month in series:
                last[i] = series[month]
        out.append((dt.date.fromisoformat(f"{month}-01"), sum(v for v in last if v is not None)))
    return out
