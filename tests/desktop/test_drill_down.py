"""From the dashboard to the transactions behind a figure: Transactions' show_filter, the
window's show_transactions, the charts' hover tooltips and click drill-downs (the bar sets'
signals emitted as Qt emits them), and the note that says what a bar left out."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPointF

from data.ledger import Ledger, TxFilter
from desktop import formatting

GROCERIES = "Groceries"
ODD = 'Bob\'s "50%_off" shop'  # quotes and LIKE wildcards in a category name
MARCH = dt.date(2025, 3, 1)


def _statement(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Description", "Amount"])
        w.writerows(rows)
    return path


@pytest.fixture
def drill_ledger(ledger_path: Path, tmp_path: Path) -> Path:
    """March 2025 in pounds (with a refund, a card repayment and income), a February, a euro
    card, and payees whose names hold LIKE wildcards, with a look-alike they must not match."""
    gbp = [
        ("2025-02-03", "TESCO STORES 11", "-31.10"),
        ("2025-02-25", "ACME PAYROLL", "2500.00"),
        ("2025-03-02", "TESCO STORES 12", "-50.00"),
        ("2025-03-09", "TESCO STORES 13", "-22.40"),
        ("2025-03-10", "TESCO STORES 14", "5.00"),  # a refund, in Groceries
        ("2025-03-12", "PAYMENT TO CREDIT CARD 4921", "-300.00"),  # a transfer
        ("2025-03-15", "ACME PAYROLL", "2500.00"),
        ("2025-03-20", "50%_OFF SHOP", "-10.00"),
        ("2025-03-21", "50XYOFF SHOP", "-7.00"),  # what 50%_OFF would match as a LIKE pattern
        ("2025-03-22", "Q" * 70 + " LONG NAME", "-1.00"),
    ]
    eur = [("2025-03-05", "TESCO STORES 15", "-8.00")]  # the same shop, in another currency
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(_statement(tmp_path / "gbp.csv", gbp), "Current", currency="GBP")
        ledger.import_file(_statement(tmp_path / "eur.csv", eur), "Travel card", currency="EUR")
        rows = ledger.transactions(limit=100)
        tesco = [t.id for t in rows if t.description.startswith("TESCO")]
        ledger.set_category(tesco, GROCERIES)
        ledger.set_category([t.id for t in rows if t.description == "50%_OFF SHOP"], ODD)
    return ledger_path


def _drawn(qtbot: Any, make_window: Any, db: Path) -> tuple[Any, Any]:
    window = make_window(db)
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.charts is not None and not dash.charts.drawing, timeout=10_000)
    return window, dash.charts


def _shown(qtbot: Any, view: Any, flt: TxFilter) -> int:
    """The page's row count once it shows `flt`, checked against the ledger's own count."""
    assert view.current_filter() == flt
    qtbot.waitUntil(lambda: view.model.filter == flt and not view.model.loading, timeout=10_000)
    with Ledger.open(view.ctx.db) as ledger:
        expected = ledger.count(flt)
    assert view.model.rowCount() == expected
    return int(expected)


def _bar(charts: Any, chart: str, label: str) -> int:
    """The index of the bar whose axis label starts with `label` (the axis lists them)."""
    axis = charts.chart_views[chart].chart().axes()[0]
    names = list(axis.categories())
    return next(i for i, n in enumerate(names) if n.startswith(label))


def test_show_filter_sets_exactly_those_controls_and_counts_like_the_ledger(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    assert "Transactions" not in window.pages  # built by show_transactions, not before
    view = window.show_transactions(
        account="Checking",
        text="tesco",
        date_from=dt.date(2024, 2, 1),
        date_to=dt.date(2024, 4, 30),
    )
    assert window.current_page() == "Transactions"
    assert view.search.text() == "tesco"
    assert view.account.currentText() == "Checking"
    assert view.category.currentIndex() == 0
    assert view.use_dates.isChecked()
    assert view.date_from.date() == QDate(2024, 2, 1)
    assert view.date_to.date() == QDate(2024, 4, 30)
    flt = TxFilter(
        account="Checking",
        text="tesco",
        date_from=dt.date(2024, 2, 1),
        date_to=dt.date(2024, 4, 30),
    )
    assert 0 < _shown(qtbot, view, flt) < 1000
    # the account list, which show_filter did not wait for, arrives and keeps the choice
    qtbot.waitUntil(lambda: view.account.count() == 2, timeout=10_000)
    assert view.account.currentText() == "Checking"

    # every control the next call does not name is cleared
    view.low_confidence.setChecked(True)
    window.show_transactions(uncategorized=True)
    assert (view.search.text(), view.account.currentIndex(), view.use_dates.isChecked()) == (
        "",
        0,
        False,
    )
    assert not view.low_confidence.isChecked() and view.uncategorized.isChecked()
    assert _shown(qtbot, view, TxFilter(uncategorized=True)) == 1000

    # an open end of a range is no bound, not a date
    window.show_transactions(date_from=dt.date(2025, 6, 1))
    assert _shown(qtbot, view, TxFilter(date_from=dt.date(2025, 6, 1))) > 0


def test_text_with_wildcards_or_great_length_is_searched_as_typed(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window = make_window(drill_ledger)
    with Ledger.open(drill_ledger) as ledger:
        payee = next(t.payee for t in ledger.transactions(limit=100) if "50%" in t.description)
    view = window.show_transactions(text=payee)
    assert _shown(qtbot, view, TxFilter(text=payee)) == 1  # not the look-alike 50XYOFF
    qtbot.waitUntil(lambda: view.model.txn(0) is not None, timeout=10_000)
    assert view.model.txn(0).description == "50%_OFF SHOP"
    long = "x" * 40_000  # past a line edit's default 32,767 characters
    window.show_transactions(text=long)
    assert view.search.text() == long
    assert _shown(qtbot, view, TxFilter(text=long)) == 0


def test_a_category_bar_tooltip_and_click_open_its_month(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    bars = charts.bar_sets["category"][0]
    i = _bar(charts, "category", GROCERIES)
    bars.hovered.emit(True, i)
    first_line = charts.tooltip.splitlines()[0]
    assert first_line == f"Groceries, {formatting.month(MARCH)}: {formatting.money(7240, 'GBP')}"
    assert charts.chart_views["category"].chart().toolTip() == charts.tooltip  # what Qt shows
    bars.hovered.emit(False, i)
    assert charts.tooltip == "" == charts.chart_views["category"].chart().toolTip()

    bars.clicked.emit(i)
    view = window.transactions
    assert window.current_page() == "Transactions"
    flt = TxFilter(category=GROCERIES, date_from=MARCH, date_to=dt.date(2025, 3, 31))
    # 3 pound rows (one a refund) and the euro one: the bar counted two of them
    assert _shown(qtbot, view, flt) == 4
    assert view.note.isVisible()
    qtbot.waitUntil(lambda: "also shows" in view.note.text(), timeout=10_000)
    note = view.note.text()
    assert formatting.money(7240, "GBP") in note
    assert "1 refund or other money in" in note and "1 row in another currency" in note
    assert "add up to" not in note  # the counted rows make the bar's figure exactly
    # the note belongs to that filter: changing the filters takes it away
    view.search.setText("tesco")
    qtbot.waitUntil(lambda: not view.note.isVisible(), timeout=10_000)


def test_a_category_named_with_quotes_and_wildcards_drills_to_its_rows(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    bars = charts.bar_sets["category"][0]
    i = _bar(charts, "category", ODD[:10])
    bars.hovered.emit(True, i)
    assert charts.tooltip.startswith(f"{ODD}, {formatting.month(MARCH)}: ")
    bars.clicked.emit(i)
    view = window.transactions
    assert view.category.currentText() == ODD
    flt = TxFilter(category=ODD, date_from=MARCH, date_to=dt.date(2025, 3, 31))
    assert _shown(qtbot, view, flt) == 1
    qtbot.waitUntil(lambda: "counts all 1 row" in view.note.text(), timeout=10_000)


def test_a_month_bar_tooltip_and_click_open_that_month_with_its_transfer_said(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    income, expenses = charts.bar_sets["months"]
    march = len(window.dashboard.report.months) - 1  # the report's month is the last bar
    expenses.hovered.emit(True, march)
    # the refund is money in; the card repayment (a transfer) and the euros are left out
    assert charts.tooltip.splitlines()[0] == (
        f"{formatting.month(MARCH)} — income {formatting.money(250_000 + 500, 'GBP')}, "
        f"expenses {formatting.money(5000 + 2240 + 1000 + 700 + 100, 'GBP')}"
    )
    income.clicked.emit(march)
    view = window.transactions
    flt = TxFilter(date_from=MARCH, date_to=dt.date(2025, 3, 31))
    assert _shown(qtbot, view, flt) == 9  # 8 in pounds, 1 in euros
    qtbot.waitUntil(lambda: "also shows" in view.note.text(), timeout=10_000)
    assert "1 transfer" in view.note.text() and "1 row in another currency" in view.note.text()


def test_a_month_with_no_rows_drills_to_an_empty_list_that_says_so(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    report = window.dashboard.report
    december = dt.date(2024, 12, 1)
    empty = report.months.index(december)
    assert report.income[empty] == report.expenses[empty] == 0
    charts.bar_sets["months"][1].hovered.emit(True, empty)
    assert formatting.money(0, "GBP") in charts.tooltip
    charts.bar_sets["months"][1].clicked.emit(empty)
    view = window.transactions
    assert _shown(qtbot, view, TxFilter(date_from=december, date_to=dt.date(2024, 12, 31))) == 0
    qtbot.waitUntil(lambda: "No transactions match" in view.note.text(), timeout=10_000)
    assert view.count_label.text().startswith("0 ")


def test_a_top_payee_opens_its_text_over_twelve_months_and_says_what_else_matched(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    report = window.dashboard.report
    payee, total = report.top_payees[0]
    assert payee == "Tesco Stores"
    bars = charts.bar_sets["payees"][0]
    i = _bar(charts, "payees", payee)
    bars.hovered.emit(True, i)
    assert charts.tooltip.splitlines()[0] == (
        f"Tesco Stores, last 12 months: {formatting.money(total, 'GBP')}"
    )
    assert total == 3110 + 5000 + 2240
    bars.clicked.emit(i)
    view = window.transactions
    flt = TxFilter(text=payee, date_from=report.months[0], date_to=dt.date(2025, 3, 31))
    assert _shown(qtbot, view, flt) == 5
    qtbot.waitUntil(lambda: "also shows" in view.note.text(), timeout=10_000)


def test_a_very_long_payee_is_cut_short_in_its_tooltip_but_searched_whole(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    report = window.dashboard.report
    payee = next(p for p, _ in report.top_payees if p.startswith("Qqq"))
    bars = charts.bar_sets["payees"][0]
    i = _bar(charts, "payees", payee[:21])
    bars.hovered.emit(True, i)
    assert charts.tooltip.startswith(payee)  # the normaliser keeps 64 characters: shown whole
    bars.clicked.emit(i)
    assert window.transactions.search.text() == payee


def test_a_very_long_category_name_is_cut_short_in_its_tooltip_but_filtered_whole(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    name = "Long " + "c" * 195  # the longest name the ledger takes (200)
    with Ledger.open(drill_ledger) as ledger:
        rows = ledger.transactions(limit=100)
        ledger.set_category([t.id for t in rows if t.description.startswith("QQQ")], name)
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    bars = charts.bar_sets["category"][0]
    i = _bar(charts, "category", "Long ccc")
    bars.hovered.emit(True, i)
    first_line = charts.tooltip.splitlines()[0]
    assert first_line == f"{name[:79]}…, Mar 2025: {formatting.money(100, 'GBP')}"
    bars.clicked.emit(i)
    view = window.transactions
    assert view.category.currentText() == name
    flt = TxFilter(category=name, date_from=MARCH, date_to=dt.date(2025, 3, 31))
    assert _shown(qtbot, view, flt) == 1


def test_the_balance_line_names_the_nearest_month_end(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    _window, charts = _drawn(qtbot, make_window, drill_ledger)
    line = charts.balance_line
    feb = line.at(0)
    line.hovered.emit(QPointF(feb.x() + 3 * 86_400_000, feb.y()), True)  # a little past it
    balance = 250_000 - 3110
    assert charts.tooltip == (
        f"Balance at the end of {formatting.month(dt.date(2025, 2, 1))}: "
        f"{formatting.money(balance, 'GBP')}"
    )
    line.hovered.emit(feb, False)
    assert charts.tooltip == ""


def test_the_uncategorized_bar_drills_to_rows_without_a_category(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    bars = charts.bar_sets["category"][0]
    i = _bar(charts, "category", "Uncategorized")
    bars.hovered.emit(True, i)
    # what has no category and is spent in pounds: not the card repayment, not the salary
    assert charts.tooltip.startswith(f"Uncategorized, Mar 2025: {formatting.money(800, 'GBP')}")
    bars.clicked.emit(i)
    view = window.transactions
    assert view.uncategorized.isChecked() and view.category.currentIndex() == 0
    flt = TxFilter(uncategorized=True, date_from=MARCH, date_to=dt.date(2025, 3, 31))
    assert _shown(qtbot, view, flt) == 4
    qtbot.waitUntil(lambda: "also shows" in view.note.text(), timeout=10_000)
    assert "1 refund or other money in, 1 transfer." in view.note.text()


def test_a_bar_drawn_before_the_ledger_changed_says_its_rows_now_add_up_differently(
    qtbot: Any, make_window: Any, drill_ledger: Path
) -> None:
    window, charts = _drawn(qtbot, make_window, drill_ledger)
    with Ledger.open(drill_ledger) as ledger:  # behind the window's back: no redraw
        rows = ledger.transactions(limit=100)
        ledger.set_category([t.id for t in rows if t.description == "50XYOFF SHOP"], GROCERIES)
    charts.bar_sets["category"][0].clicked.emit(_bar(charts, "category", GROCERIES))
    view = window.transactions
    qtbot.waitUntil(lambda: "add up to" in view.note.text(), timeout=10_000)
    assert f"add up to {formatting.money(7940, 'GBP')} now" in view.note.text()
    assert formatting.money(7240, "GBP") in view.note.text()  # the bar's own figure, still said
