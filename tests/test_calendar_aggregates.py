"""The ledger's aggregate reads on month and year ends, on a real SQLite ledger imported from a
statement: the last day of a month is in it and the 1st of the next is not, 29 February belongs
to February, and month-end balances run on across the new year from the bank's stated balance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data.ledger import Ledger, MonthTotals

D = dt.date

# (date, amount, stated balance): the bank's running balance starts at 1,000.00
ROWS = [
    ("2023-12-31", "-10.00", "990.00"),
    ("2024-01-01", "-20.00", "970.00"),
    ("2024-01-31", "-30.00", "940.00"),
    ("2024-02-01", "500.00", "1440.00"),
    ("2024-02-29", "-40.00", "1400.00"),
    ("2024-03-01", "-50.00", "1350.00"),
    ("2024-03-31", "-60.00", "1290.00"),
    ("2024-04-30", "-70.00", "1220.00"),
    ("2024-12-31", "-80.00", "1140.00"),
    ("2025-01-01", "-90.00", "1050.00"),
    ("2025-02-28", "-5.00", "1045.00"),
    ("2025-03-01", "-6.00", "1039.00"),
]


@pytest.fixture
def ledger(tmp_path: Path):
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "Date,Description,Amount,Balance\n"
        + "".join(f"{d},Shop {i},{a},{b}\n" for i, (d, a, b) in enumerate(ROWS))
    )
    with Ledger.open(tmp_path / "l.sqlite") as opened:
        assert opened.import_file(statement, "Current", currency="GBP").imported == len(ROWS)
        yield opened


@pytest.mark.parametrize(
    ("start", "end", "spent"),
    [
        # [start, end): a month is its 1st to the next month's 1st
        (D(2023, 12, 1), D(2024, 1, 1), [("Uncategorized", 1000)]),
        (D(2024, 1, 1), D(2024, 2, 1), [("Uncategorized", 5000)]),
        (D(2024, 2, 1), D(2024, 3, 1), [("Uncategorized", 4000)]),  # 29 February is February's
        (D(2024, 3, 1), D(2024, 4, 1), [("Uncategorized", 11000)]),
        (D(2024, 4, 1), D(2024, 5, 1), [("Uncategorized", 7000)]),
        (D(2024, 12, 1), D(2025, 1, 1), [("Uncategorized", 8000)]),
        (D(2025, 1, 1), D(2025, 2, 1), [("Uncategorized", 9000)]),
        (D(2025, 2, 1), D(2025, 3, 1), [("Uncategorized", 500)]),
        (D(2024, 5, 1), D(2024, 12, 1), []),
    ],
)
def test_spending_in_a_month_takes_its_last_day_and_not_the_next_first(
    ledger: Ledger, start: dt.date, end: dt.date, spent: list[tuple[str, int]]
) -> None:
    assert ledger.spending_by_category("GBP", start, end) == spent


def test_monthly_totals_across_two_new_years(ledger: Ledger) -> None:
    totals = ledger.monthly_totals("GBP", D(2023, 12, 1), D(2025, 4, 1))
    assert totals == [
        MonthTotals(D(2023, 12, 1), 0, 1000),
        MonthTotals(D(2024, 1, 1), 0, 5000),
        MonthTotals(D(2024, 2, 1), 50000, 4000),
        MonthTotals(D(2024, 3, 1), 0, 11000),
        MonthTotals(D(2024, 4, 1), 0, 7000),
        MonthTotals(D(2024, 12, 1), 0, 8000),
        MonthTotals(D(2025, 1, 1), 0, 9000),
        MonthTotals(D(2025, 2, 1), 0, 500),
        MonthTotals(D(2025, 3, 1), 0, 600),
    ]


def test_month_end_balances_across_the_new_year(ledger: Ledger) -> None:
    # each month's last stated balance; months without rows have no point of their own
    assert ledger.month_end_balances("GBP") == [
        (D(2023, 12, 1), 99000),
        (D(2024, 1, 1), 94000),
        (D(2024, 2, 1), 140000),
        (D(2024, 3, 1), 129000),
        (D(2024, 4, 1), 122000),
        (D(2024, 12, 1), 114000),
        (D(2025, 1, 1), 105000),
        (D(2025, 2, 1), 104500),
        (D(2025, 3, 1), 103900),
    ]
