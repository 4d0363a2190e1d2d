"""A real ledger whose regular payments (rent, a subscription) are next due within a month of
today, for the tests that check the advisor reserves them (CLI and window alike). Dates are
relative to today, because `fincast advise` judges "due within a month" from today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data.ledger import Ledger

MONTHS = 14
# Regular payments the ledger holds every month, in pence: what the advisor must reserve.
REGULAR = {"HOMELY LETTINGS RENT": -123_400, "STREAMFLIX SUBSCRIPTION": -1_299}


def _months_back(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return day.replace(year=index // 12, month=index % 12 + 1)


def regular_ledger(db: Path, tmp_path: Path, today: dt.date) -> int:
    """A ledger of MONTHS months of pay, rent, a subscription and shopping, the regular payments
    last paid ten days before `today` (so each is next due within a month); returns the pence
    due, as the rows give it: each regular payment's last amount."""
    anchor = today - dt.timedelta(days=10)
    anchor = anchor.replace(day=min(anchor.day, 28))  # every month has that day
    rows: list[tuple[dt.date, str, int]] = []
    for back in range(MONTHS - 1, -1, -1):
        day = _months_back(anchor, back)
        rows.append((day.replace(day=1), "ACME PAYROLL", 310_000))
        rows += [(day, name, pence) for name, pence in REGULAR.items()]
        for week in range(3):
            shop = day.replace(day=1) + dt.timedelta(days=2 + 7 * week)
            if shop < today:
                rows.append((shop, f"CORNER GROCER {week}", -(4_000 + 377 * ((back + week) % 7))))
    path = tmp_path / "current.csv"
    path.write_text(
        "Date,Description,Amount\n"
        + "".join(f"{d.isoformat()},{w},{p / 100:.2f}\n" for d, w, p in sorted(rows))
    )
    with Ledger.open(db) as ledger:
        ledger.import_file(path, "Current", currency="GBP")
    last = {name: pence for _, name, pence in sorted(rows) if name in REGULAR}
    return -sum(last.values())
