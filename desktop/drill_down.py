"""From a dashboard bar to the transactions behind it, and how the two differ.

A bar counts less than a plain filter lists: only the report's currency, only money out (for a
category or payee bar), never a transfer between the person's own accounts (data/transfers.py),
and for a payee bar only that exact payee, where the Transactions page's text filter also finds
every payee or description that contains it. `tally` reads the filtered rows (on the reading
lane) and sorts them into what the bar counted and what it left out, so the page can say so
instead of showing a list whose sum silently differs from the bar. No Qt; never writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from data.ledger import TxFilter
from data.ledger.aggregates import UNCATEGORIZED  # the label the bars give rows with no category
from data.transfers import is_transfer

TALLY_LIMIT = 50_000  # rows read at most to explain one bar

Kind = Literal["category", "month", "payee"]


@dataclass(frozen=True)
class Drill:
    """One clicked bar: what it is, the figure(s) it showed, and the rows behind it."""

    kind: Kind
    label: str  # "Groceries, Nov 2026"
    currency: str
    first: dt.date  # inclusive
    last: dt.date  # inclusive
    counted: tuple[int, ...]  # category, payee: (spent,); month: (income, expenses)
    name: str | None = None  # the category or the payee

    def filter_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for TransactionsView.show_filter (and TxFilter)."""
        out: dict[str, Any] = {"date_from": self.first, "date_to": self.last}
        if self.kind == "category":
            if self.name == UNCATEGORIZED:
                out["uncategorized"] = True
            else:
                out["category"] = self.name
        elif self.kind == "payee":
            out["text"] = self.name
        return out

    def tx_filter(self) -> TxFilter:
        """The filter the drilled-down page shows."""
        return TxFilter(**self.filter_kwargs())


@dataclass(frozen=True)
class Tally:
    """The filtered rows, sorted into what the bar counted and what it left out."""

    rows: int = 0  # rows read
    counted: int = 0  # rows the bar counted
    money_in: int = 0  # of the counted rows, the sum of positive amounts
    money_out: int = 0  # of the counted rows, minus the sum of negative amounts
    transfers: int = 0
    other_currency: int = 0
    money_in_rows: int = 0  # refunds and other money in (left out of spending bars)
    other_payees: int = 0  # rows the text filter found under a different payee
    truncated: bool = False  # more rows than TALLY_LIMIT: only the first were read


def month_span(first_of_month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month that `first_of_month` is in."""
    first = first_of_month.replace(day=1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def tally(ledger: Any, drill: Drill, limit: int = TALLY_LIMIT) -> Tally:
    """Sort the rows of `drill`'s filter by the rule its bar used (on the reading lane)."""
    counts = {
        "rows": 0,
        "counted": 0,
        "money_in": 0,
        "money_out": 0,
        "transfers": 0,
        "other_currency": 0,
        "money_in_rows": 0,
        "other_payees": 0,
    }
    spending = drill.kind in ("category", "payee")
    truncated = False
    with ledger.snapshot():
        for t in ledger.iter_transactions(drill.tx_filter(), order="date_asc"):
            if counts["rows"] >= limit:
                truncated = True
                break
            counts["rows"] += 1
            if t.currency != drill.currency:
                counts["other_currency"] += 1
            elif is_transfer(t.description, t.category):
                counts["transfers"] += 1
            elif drill.kind == "payee" and t.payee != drill.name:
                counts["other_payees"] += 1
            elif spending and t.amount >= 0:
                counts["money_in_rows"] += 1
            else:
                counts["counted"] += 1
                if t.amount > 0:
                    counts["money_in"] += t.amount
                else:
                    counts["money_out"] -= t.amount
    return Tally(**counts, truncated=truncated)
