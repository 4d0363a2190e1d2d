"""The dashboard's numbers: the Ledger's aggregate reads (SQL), run on the reading lane.

Money stays in integer minor units of one currency. Transfers between the person's own accounts
(a category whose name contains "transfer", a card repayment) are left out of income and spending
by the Ledger so they are not counted twice. Only reads; this module must never import Qt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


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
    currencies: list[str] = field(default_factory=list)  # every currency, most rows first


def _month_start(d: dt.date, back: int = 0) -> dt.date:
    """The 1st of the month `back` months before `d`'s (after it when negative)."""
    y, m = divmod(d.year * 12 + d.month - 1 - back, 12)
    return dt.date(y, m + 1, 1)


def build(ledger: Any, today: dt.date | None = None, currency: str | None = None) -> Report:
    """Compute the dashboard's report in `currency` (by default the one most rows are in);
    rows in other currencies are left out, never added to it."""
    report = Report()
    stats = ledger.stats()
    if not stats.currencies:
        return report
    # a currency the ledger no longer has (its account deleted) falls back to the main one
    cur, _, latest = next((c for c in stats.currencies if c[0] == currency), stats.currencies[0])
    report.currency = cur
    report.currencies = [code for code, _, _ in stats.currencies]
    report.transactions = stats.transactions
    report.pending = stats.pending
    today = today or dt.date.today()
    if latest > today:
        # Rows dated later (a rent the bank has scheduled, a mistyped year) are not what the
        # dashboard shows: with statements to 30 November read on 7 December, a January rent
        # showed an empty December instead of November.
        latest = ledger.newest_day(cur, today) or today
    # The month of the newest row up to today: statements that stop in April 2024 show April
    month = _month_start(min(latest, today))
    report.month = month
    nxt = _month_start(month, -1)
    report.by_category = list(ledger.spending_by_category(cur, month, nxt))
    first = _month_start(month, 11)
    report.months = [_month_start(month, 11 - i) for i in range(12)]
    sums = {t.month: (t.income, t.expenses) for t in ledger.monthly_totals(cur, first, nxt)}
    report.income = [sums.get(m, (0, 0))[0] for m in report.months]
    report.expenses = [sums.get(m, (0, 0))[1] for m in report.months]
    # to the end of the month shown: past it, a scheduled payment has not happened yet
    report.balance = [(m, v) for m, v in ledger.month_end_balances(cur) if m <= month]
    report.top_payees = list(ledger.top_payees(cur, first, nxt, limit=8))
    return report
