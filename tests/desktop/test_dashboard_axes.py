"""The dashboard's axes are readable: each month named once under the balance line (a date axis
read "Jan 24, Feb 24, Mar 24, Mar 24, Mar 24, Apr 24, Apr 24" for four month ends), and value
axes with grid lines on round numbers (a balance falling to -12,372 was labelled 1000, -4250,
-9500, -14750, -20000)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QLocale, Qt

from data.ledger import Ledger
from desktop import formatting

ROUND_STEPS = {m * 10**p for m in (1, 2, 2.5, 5) for p in range(0, 8)}


def _ledger(path: Path, tmp_path: Path, months: int) -> Path:
    rows = []
    for i in range(months):
        year, month = 2024 + i // 12, 1 + i % 12
        rows.append((dt.date(year, month, 3).isoformat(), "ACME PAYROLL", "2500.00"))
        rows.append((dt.date(year, month, 10).isoformat(), "RENT", "-1572.72"))
    # a last month that takes the balance below -10,000 (the shape that was mislabelled)
    rows.append((dt.date(year, month, 20).isoformat(), "NEW CAR", f"-{1000 * months + 11999.99}"))
    statement = tmp_path / "s.csv"
    with statement.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Description", "Amount"])
        w.writerows(rows)
    with Ledger.open(path) as ledger:
        ledger.import_file(statement, "Current", currency="EUR")
    return path


def _charts(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.charts is not None and not dash.charts.drawing, timeout=10_000)
    return dash.charts


def _axes(charts: Any, name: str) -> tuple[Any, Any]:
    chart = charts.chart_views[name].chart()
    horizontal, vertical = (
        [a for a in chart.axes() if a.orientation().name == side]
        for side in ("Horizontal", "Vertical")
    )
    return horizontal[0], vertical[0]


def _assert_round(axis: Any, low: float, high: float) -> None:
    step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
    assert step in ROUND_STEPS, (axis.min(), axis.max(), axis.tickCount())
    assert axis.min() % step == 0  # so every grid line is a multiple of the step
    assert axis.min() <= low <= high <= axis.max()
    assert axis.tickCount() <= 7


@pytest.mark.parametrize("months", [4, 23])  # to April 2024; to November 2025
def test_months_named_once_and_values_on_round_lines(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, months: int
) -> None:
    charts = _charts(qtbot, make_window, _ledger(ledger_path, tmp_path, months))
    x, y = _axes(charts, "balance")
    labels = list(x.categoriesLabels())
    loc = QLocale()
    first = loc.toString(QDate(2024, 1, 1), "MMM yy")
    assert labels[0] == first
    assert len(labels) == len(set(labels)) <= 7
    if months == 4:
        assert labels == [loc.toString(QDate(2024, m, 1), "MMM yy") for m in (1, 2, 3, 4)]
    line = charts.balance_line
    values = [line.at(i).y() for i in range(line.count())]
    assert min(values) < -10_000
    _assert_round(y, min(0.0, *values), max(values))
    # every point lies inside the x range, so no month is drawn off the chart
    assert x.min() < line.at(0).x() and line.at(line.count() - 1).x() < x.max()
    for name in ("months", "category", "payees"):
        _, values_axis = _axes(charts, name)
        if name != "months":
            values_axis = _axes(charts, name)[0]  # horizontal bars: values run across
        _assert_round(values_axis, 0.0, values_axis.min())


def test_a_december_ledger_draws(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    """A ledger whose shown month is a December draws (its next month was month 13 before
    e115e01, and the window showed the first-run page)."""
    charts = _charts(qtbot, make_window, _ledger(ledger_path, tmp_path, 24))  # to December 2025
    assert charts.heading.text().endswith(
        QLocale().monthName(12, QLocale.FormatType.ShortFormat) + " 2025"
    )


def test_a_report_that_fails_never_offers_the_demo(
    qtbot: Any,
    make_window: Any,
    ledger_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ledger the dashboard cannot read is not a new one: the page says what failed, with
    Try again, and never shows the first-run page that offers to import demo statements."""
    import sqlite3

    from desktop import reports

    real = reports.build

    def broken(ledger: Any, **_: Any) -> Any:
        raise sqlite3.DatabaseError("database disk image is malformed")

    _ledger(ledger_path, tmp_path, 4)
    monkeypatch.setattr(reports, "build", broken)
    window = make_window(ledger_path)
    dash = window.dashboard
    qtbot.waitUntil(dash.problem.isVisible, timeout=10_000)
    assert "database disk image is malformed" in dash.problem.text()
    assert not dash.demo_button.isVisible()
    assert not dash.import_button.isVisible()
    monkeypatch.setattr(reports, "build", real)  # the disk is back: Try again draws
    qtbot.mouseClick(dash.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dash.charts is not None and dash.charts.isVisible(), timeout=10_000)


def test_this_month_is_said_only_of_this_month(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    charts = _charts(qtbot, make_window, _ledger(ledger_path, tmp_path, 4))  # to April 2024
    april = charts.heading.text().removeprefix("Dashboard — ")
    assert charts.cards["Spent this month"].caption.text() == f"Spent in {april}"
    assert charts.cards["Income this month"].caption.text() == f"Income in {april}"


def test_a_ledger_with_this_months_rows_says_this_month(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    today = dt.date.today()
    statement = tmp_path / "now.csv"
    statement.write_text(
        f"Date,Description,Amount\n{today.replace(day=1).isoformat()},TESCO,-12.50\n",
        encoding="utf-8",
    )
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(statement, "Current", currency="GBP")
    charts = _charts(qtbot, make_window, ledger_path)
    assert charts.cards["Spent this month"].caption.text() == "Spent this month"
    assert charts.cards["Spent this month"].value.text() == "£13"


def test_the_months_chart_says_which_year(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    charts = _charts(qtbot, make_window, _ledger(ledger_path, tmp_path, 4))  # to April 2024
    title = charts.chart_views["months"].chart().title()
    may, april = formatting.month(dt.date(2023, 5, 1)), formatting.month(dt.date(2024, 4, 1))
    assert title == f"Income and expenses by month, {may} to {april}"
    x, _y = _axes(charts, "months")
    loc = QLocale()
    # bare month names, short enough for the width of their bars
    assert list(x.categories())[:2] == [
        loc.monthName(m, QLocale.FormatType.ShortFormat) for m in (5, 6)
    ]
