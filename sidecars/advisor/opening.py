"""An account's opening balance from its statement lines: what it held before the first import.

A ledger that only sums imported transactions starts every account at zero, so an account opened
with 5,000 in it reads as holding nothing. Statements that print a running balance say where it
really started: opening = the balance stated at a line - the sum of the amounts up to that line.
Pure arithmetic on exact minor units, for whoever reads the ledger (the advisor itself never does);
it must never guess an opening when no line states a balance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def opening_balance(rows: Iterable[tuple[dt.date, int, int | None]]) -> int | None:
    """Opening balance in minor units from (date, amount, stated balance or None) rows of one
    account, in any order; None when no row states a balance.

    Anchored on the last day with a stated balance, so later corrections count. Within a day the
    file's order is unknown (banks list a day newest first or oldest first), so the day's end
    balance is found as the stated balance that equals S + the day's amounts, where S = b - a
    for the row that came first.
    """
    by_day: dict[dt.date, list[tuple[int, int | None]]] = {}
    for day, amount, stated in rows:
        by_day.setdefault(day, []).append((amount, stated))
    stated_days = [day for day, lines in by_day.items() if any(b is not None for _, b in lines)]
    if not stated_days:
        return None
    anchor = max(stated_days)
    before = sum(a for day, lines in by_day.items() if day < anchor for a, _ in lines)
    lines = by_day[anchor]
    day_total = sum(a for a, _ in lines)
    balances = {b for _, b in lines if b is not None}
    for a, b in lines:
        if b is not None and b - a + day_total in balances:
            return b - a - before  # the day started at b - a: the opening plus all days before
    # No order of the day fits (a line without a balance, a bank that rounds): trust the order
    # given, and the last stated line's balance as of the lines up to it.
    last, end = [(i, b) for i, (_, b) in enumerate(lines) if b is not None][-1]
    return end - (before + sum(a for a, _ in lines[: last + 1]))
