"""The dashboard counts one currency; on a ledger with others it says which, and names every
account whose rows it leaves out (a person with a pound, a euro and a yen account saw one
"Balance" in euros and no word of the other two)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from data.ledger import Ledger


def _statement(path: Path, rows: list[tuple[str, ...]], *, currency_column: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Description", "Amount", *(["Currency"] if currency_column else [])])
        w.writerows(rows)
    return path


def _drawn(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.charts is not None and not dash.charts.drawing, timeout=10_000)
    return dash


def test_accounts_in_other_currencies_are_named(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    gbp = [
        ("2026-10-01", "ACME PAYROLL", "2500.00", "GBP"),
        ("2026-10-03", "TESCO STORES", "-40.00", "GBP"),
        ("2026-10-04", "SHELL FUEL", "-60.00", "GBP"),
        ("2026-10-05", "HOTEL PARIS", "-120.00", "EUR"),  # a euro row in the pound account
    ]
    yen = [("2026-10-02", "SEVEN ELEVEN", "-1280"), ("2026-10-09", "NETFLIX.COM", "-1490")]
    euro = [("2026-10-07", "CAFE", "-3.50")]
    with Ledger.open(ledger_path) as ledger:
        ledger.ensure_account("Current", "GBP")
        ledger.import_file(
            _statement(tmp_path / "gbp.csv", gbp, currency_column=True), "Current", currency="GBP"
        )
        ledger.import_file(_statement(tmp_path / "jpy.csv", yen), "Yen Card", currency="JPY")
        ledger.import_file(_statement(tmp_path / "eur.csv", euro), "Travel", currency="EUR")
    dash = _drawn(qtbot, make_window, ledger_path)
    charts = dash.charts
    note = charts.currency_note
    assert note.isVisible()
    assert note.text() == (
        "Figures in GBP only; not counted here: Yen Card (2 transactions in JPY); "
        "Current (1 transaction in EUR); Travel (1 transaction in EUR)."
    )
    assert charts.cards["Balance"].caption.text() == "Balance in GBP"
    assert charts.cards["Balance"].value.text() == "£2,400"  # the pound rows only
    assert charts.chart_views["balance"].chart().title() == "Balance of the GBP accounts"
    # The person switches to the yen card: its own figures, the pound rows named as left out.
    assert dash.currency_row.isVisible()
    box = dash.currency_box
    assert [box.itemText(i) for i in range(box.count())] == ["GBP", "EUR", "JPY"]
    assert box.currentText() == "GBP"
    box.activated.emit(box.findText("JPY"))
    qtbot.waitUntil(lambda: dash.report.currency == "JPY" and not charts.drawing, timeout=10_000)
    assert dash.report.by_category == [("Uncategorized", 2770)]
    assert charts.cards["Balance"].caption.text() == "Balance in JPY"
    assert charts.cards["Balance"].value.text() == "-¥2,770"
    assert note.text().startswith("Figures in JPY only; not counted here: Current (4 transactions")
    # kept when the ledger changes, and a currency that is gone falls back to the main one
    dash.reload()
    qtbot.waitUntil(lambda: dash.reloads >= 3 and not dash._loading, timeout=10_000)
    assert dash.report.currency == "JPY" and box.currentText() == "JPY"
    with Ledger.open(ledger_path) as ledger:
        ledger.delete_account("Yen Card", with_transactions=True)
    dash.reload()
    qtbot.waitUntil(lambda: dash.report.currency == "GBP", timeout=10_000)
    assert [box.itemText(i) for i in range(box.count())] == ["GBP", "EUR"]


def test_a_ledger_in_one_currency_has_no_note(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    rows = [("2026-10-01", "ACME PAYROLL", "2500.00"), ("2026-10-03", "TESCO", "-40.00")]
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(_statement(tmp_path / "a.csv", rows), "Current", currency="GBP")
        ledger.import_file(_statement(tmp_path / "b.csv", rows[1:]), "Savings", currency="GBP")
    dash = _drawn(qtbot, make_window, ledger_path)
    charts = dash.charts
    assert not charts.currency_note.isVisible()
    assert charts.currency_note.text() == ""
    assert charts.cards["Balance"].caption.text() == "Balance"
    assert charts.chart_views["balance"].chart().title() == "Balance of all accounts (GBP)"
    assert not dash.currency_row.isVisible()  # nothing to choose
