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
    return dash.charts


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
    charts = _drawn(qtbot, make_window, ledger_path)
    note = charts.currency_note
    assert note.isVisible()
    assert note.text() == (
        "Figures in GBP only; not counted here: Yen Card (2 transactions in JPY); "
        "Current (1 transaction in EUR); Travel (1 transaction in EUR)."
    )
    assert charts.cards["Balance"].caption.text() == "Balance in GBP"
    assert charts.cards["Balance"].value.text() == "£2,400"  # the pound rows only
    assert charts.chart_views["balance"].chart().title() == "Balance of the GBP accounts"


def test_a_ledger_in_one_currency_has_no_note(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    rows = [("2026-10-01", "ACME PAYROLL", "2500.00"), ("2026-10-03", "TESCO", "-40.00")]
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(_statement(tmp_path / "a.csv", rows), "Current", currency="GBP")
        ledger.import_file(_statement(tmp_path / "b.csv", rows[1:]), "Savings", currency="GBP")
    charts = _drawn(qtbot, make_window, ledger_path)
    assert not charts.currency_note.isVisible()
    assert charts.currency_note.text() == ""
    assert charts.cards["Balance"].caption.text() == "Balance"
    assert charts.chart_views["balance"].chart().title() == "Balance of all accounts (GBP)"
