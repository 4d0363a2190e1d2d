"""The dashboard's report on the calendar's awkward days, on real SQLite ledgers: which month it
shows, its twelve months, and what it counts, for each `today` and each newest row worked out by
hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data.ledger import Ledger
from desktop import reports

D = dt.date


def _ledger(tmp_path: Path, rows: list[tuple[str, str]], currency: str = "GBP") -> Ledger:
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "Date,Description,Amount\n"
        + "".join(f"{d},Shop {i},{a}\n" for i, (d, a) in enumerate(rows))
    )
    ledger = Ledger.open(tmp_path / "l.sqlite")
    result = ledger.import_file(statement, "Current", currency=currency)
    assert result.imported == len(rows)
    return ledger


def _twelve(last: dt.date) -> list[dt.date]:
    """The twelve 1sts ending at `last`'s month, counted back one month number at a time."""
    out = []
    y, m = last.year, last.month
    for _ in range(12):
        out.append(D(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


@pytest.mark.parametrize(
    ("newest", "today", "shown"),
    [
        # statements up to today: today's month
        ("2025-01-01", D(2025, 1, 1), D(2025, 1, 1)),
        ("2025-01-31", D(2025, 1, 31), D(2025, 1, 1)),
        ("2024-02-29", D(2024, 2, 29), D(2024, 2, 1)),
        ("2025-02-28", D(2025, 2, 28), D(2025, 2, 1)),
        ("2025-03-01", D(2025, 3, 1), D(2025, 3, 1)),
        ("2025-03-31", D(2025, 3, 31), D(2025, 3, 1)),
        ("2025-04-30", D(2025, 4, 30), D(2025, 4, 1)),
        ("2024-12-01", D(2024, 12, 1), D(2024, 12, 1)),
        ("2024-12-31", D(2024, 12, 31), D(2024, 12, 1)),
        # statements that stop before today's month: their last month
        ("2024-12-31", D(2025, 1, 1), D(2024, 12, 1)),
        ("2024-02-29", D(2024, 3, 1), D(2024, 2, 1)),
        ("2025-01-31", D(2025, 3, 1), D(2025, 1, 1)),
        ("2024-11-30", D(2024, 12, 31), D(2024, 11, 1)),
        ("2023-12-31", D(2025, 1, 1), D(2023, 12, 1)),
    ],
)
def test_the_month_shown_and_its_twelve_months(
    tmp_path: Path, newest: str, today: dt.date, shown: dt.date
) -> None:
    # Two rows in the shown month, one the month before it, one two years earlier.
    before = reports._month_start(shown, 1).isoformat()
    rows = [("2021-06-15", "-7.00"), (before, "-4.00"), (f"{shown:%Y-%m}-01", "-2.50")]
    rows.append((newest, "1000.00"))
    with _ledger(tmp_path, rows) as ledger:
        report = reports.build(ledger, today=today)
    assert report.month == shown
    assert report.months == _twelve(shown)
    assert report.by_category == [("Uncategorized", 250)]
    assert report.expenses[-2:] == [400, 250] and report.income[-1] == 100000
    assert sum(report.expenses) == 650  # the row of 2021 is more than a year before


@pytest.mark.parametrize(
    ("future", "today", "shown"),
    [
        # Statements to 30 November, read on 7 December, list January's rent the bank has
        # scheduled: November is the month with data, not an empty December.
        ("2025-01-02", D(2024, 12, 7), D(2024, 11, 1)),
        # a mistyped year far ahead
        ("2052-11-30", D(2024, 12, 7), D(2024, 11, 1)),
        # read on New Year's Day, a row for 2 January: December had the data
        ("2025-01-02", D(2025, 1, 1), D(2024, 12, 1)),
        # a scheduled row later this month: this month, which has rows to today
        ("2024-12-20", D(2024, 12, 7), D(2024, 12, 1)),
    ],
)
def test_a_row_dated_after_today_does_not_move_the_month_shown(
    tmp_path: Path, future: str, today: dt.date, shown: dt.date
) -> None:
    rows = [("2024-10-03", "-20.00"), ("2024-11-04", "-12.00"), ("2024-11-30", "2000.00")]
    if today.month == 12 and future.startswith("2024-12"):
        rows.append(("2024-12-02", "-5.00"))
    if today == D(2025, 1, 1):
        rows.append(("2024-12-31", "-3.00"))
    rows.append((future, "-900.00"))
    with _ledger(tmp_path, rows) as ledger:
        report = reports.build(ledger, today=today)
    assert report.month == shown
    assert report.months[-1] == shown
    spent = {D(2024, 11, 1): 1200, D(2024, 12, 1): 300 if today.year == 2025 else 90500}
    assert sum(v for _, v in report.by_category) == spent[shown]
    # The Balance card and line end at the month shown: what the accounts hold by its end, not
    # after a payment past it (-20 - 12 + 2,000, less December's rows: its end is after the 20th)
    held = {D(2024, 11, 1): 196800, D(2024, 12, 1): 196500 if today.year == 2025 else 106300}
    assert report.balance[-1] == (shown, held[shown])


def test_a_ledger_of_only_future_rows_shows_todays_month(tmp_path: Path) -> None:
    # Nothing up to today: today's month (empty) is shown, as before; nothing is invented.
    with _ledger(tmp_path, [("2025-01-02", "-900.00")]) as ledger:
        report = reports.build(ledger, today=D(2024, 12, 7))
    assert (report.month, report.by_category, report.transactions) == (D(2024, 12, 1), [], 1)


@pytest.mark.parametrize("day", ["2024-01-01", "2024-02-29", "2025-02-28", "2024-12-31"])
def test_a_one_day_ledger(tmp_path: Path, day: str) -> None:
    when = dt.date.fromisoformat(day)
    with _ledger(tmp_path, [(day, "-9.99"), (day, "1500.00")]) as ledger:
        for today in (when, when + dt.timedelta(days=1)):
            report = reports.build(ledger, today=today)
            assert report.month == when.replace(day=1)
            assert (report.expenses[-1], report.income[-1]) == (999, 150000)
            assert sum(report.expenses[:-1]) == 0
            assert report.balance == [(when.replace(day=1), 149001)]


def test_a_ledger_spanning_exactly_one_year(tmp_path: Path) -> None:
    # 1 January to 31 December 2024 (a leap year: 366 days), 1.00 spent every day
    days = [D(2024, 1, 1) + dt.timedelta(days=i) for i in range(366)]
    with _ledger(tmp_path, [(d.isoformat(), "-1.00") for d in days]) as ledger:
        report = reports.build(ledger, today=D(2024, 12, 31))
        assert report.months == [D(2024, m, 1) for m in range(1, 13)]
        days_in = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 2024 has 29 February
        assert report.expenses == [100 * n for n in days_in]
        assert [v for _, v in report.balance][-1] == -36600
        # read on New Year's Day, the same twelve months
        assert reports.build(ledger, today=D(2025, 1, 1)).months == report.months


def test_a_future_row_in_one_currency_beside_a_newer_row_in_another(tmp_path: Path) -> None:
    # Pounds to 30 November plus a scheduled January rent; a yen card with a row on 5 December,
    # read on 7 December: the pounds show November, the yen December.
    rows = [("2024-11-04", "-12.00"), ("2024-11-30", "2000.00"), ("2025-01-02", "-900.00")]
    card = tmp_path / "card.csv"
    card.write_text("Date,Description,Amount\n2024-10-10,Ramen,-1490\n2024-12-05,Ramen,-990\n")
    with _ledger(tmp_path, rows) as ledger:
        ledger.import_file(card, "Card", currency="JPY")
        pounds = reports.build(ledger, today=D(2024, 12, 7), currency="GBP")
        yen = reports.build(ledger, today=D(2024, 12, 7), currency="JPY")
    assert (pounds.month, pounds.by_category) == (D(2024, 11, 1), [("Uncategorized", 1200)])
    assert (yen.month, yen.by_category) == (D(2024, 12, 1), [("Uncategorized", 990)])


@pytest.mark.parametrize("month", range(1, 13))
def test_statements_to_a_months_end_read_in_the_next_month(tmp_path: Path, month: int) -> None:
    # Statements end on the last day of the month before `month` (2024: February has 29 days);
    # read on the 1st or the last day of `month`, the dashboard shows the month they end in.
    year = 2024
    ended = D(year, month, 1) - dt.timedelta(days=1)
    last_day = (D(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    rows = [(ended.replace(day=1).isoformat(), "-4.00"), (ended.isoformat(), "-6.00")]
    with _ledger(tmp_path, rows) as ledger:
        for today in (D(year, month, 1), D(year, month, last_day)):
            report = reports.build(ledger, today=today)
            assert report.month == ended.replace(day=1)
            assert report.months == _twelve(ended)
            assert report.by_category == [("Uncategorized", 1000)]
            assert report.balance == [(ended.replace(day=1), -1000)]
