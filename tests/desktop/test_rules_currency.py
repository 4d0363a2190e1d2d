"""A rule's amounts are money in its account's currency: the page read every amount as dollars
and cents, so "-2000 to -1000" on a yen account was stored as -200,000 to -100,000 yen (and
matched nothing), and dinar limits were ten times too small."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from data.ledger import Ledger


def _ledger(path: Path, tmp_path: Path) -> Path:
    def statement(name: str, rows: list[tuple[str, str, str]]) -> Path:
        out = tmp_path / name
        with out.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["Date", "Description", "Amount"])
            w.writerows(rows)
        return out

    pounds = [("2026-10-12", "NETFLIX.COM", "-9.99"), ("2026-11-12", "NETFLIX.COM", "-15.99")]
    yen = [
        ("2026-10-12", "NETFLIX.COM", "-1490"),
        ("2026-11-12", "NETFLIX.COM", "-1590"),
        ("2026-11-20", "NETFLIX.COM GIFT", "-5000"),
    ]
    with Ledger.open(path) as ledger:
        ledger.import_file(statement("gbp.csv", pounds), "Current", currency="GBP")
        ledger.import_file(statement("jpy.csv", yen), "Yen Card", currency="JPY")
    return path


def _rules(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    window.show_page("Rules")
    view = window.rules
    qtbot.waitUntil(lambda: view.account.count() == 3, timeout=10_000)  # Any, and the two
    return view


def test_yen_limits_are_whole_yen(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    view = _rules(qtbot, make_window, _ledger(ledger_path, tmp_path))
    view.pattern.setText("netflix")
    view.category.setText("Subscriptions")
    view.account.setCurrentText("Yen Card")
    view.amount_min.setText("-2000")
    view.amount_max.setText("-1000")
    qtbot.mouseClick(view.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message.text().startswith("Matches"), timeout=10_000)
    assert view.message.text().startswith("Matches 2 transactions")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10_000)
    with Ledger.open(ledger_path) as ledger:
        rule = ledger.rules()[0]
        assert (rule.amount_min, rule.amount_max, rule.account) == (-2000, -1000, "Yen Card")
        assert rule.currency == "JPY"  # the engine tests the limits on yen rows only
    assert view.table.item(0, 3).text() == "-2000 to -1000 JPY, Yen Card"
    view.table.selectRow(0)  # editing it shows the limits as they were typed
    assert (view.amount_min.text(), view.amount_max.text()) == ("-2000", "-1000")
    assert view.amount_currency.text() == "JPY"  # said beside the amounts


def test_limits_without_an_account_need_one_when_currencies_differ(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    view = _rules(qtbot, make_window, _ledger(ledger_path, tmp_path))
    view.pattern.setText("netflix")
    view.category.setText("Subscriptions")
    view.amount_min.setText("-20")
    view.save_rule()
    assert "Choose the account this rule is for" in view.message.text()
    view.account.setCurrentText("Current")
    assert view.amount_currency.text() == "GBP"
    view.save_rule()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10_000)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.rules()[0].amount_min == -2000  # pence
        assert ledger.rules()[0].currency == "GBP"
