"""The Rules page: add, test before saving, reorder, remove, bad input explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from data.ledger import Ledger, TxFilter


def _rules(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    window.show_page("Rules")
    return window.rules


def test_test_then_save_then_reorder_and_remove(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    view = _rules(qtbot, make_window, filled_ledger)
    view.pattern.setText("netflix")
    view.category.setText("Subscriptions")
    qtbot.mouseClick(view.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message.text().startswith("Matches"), timeout=10_000)
    with Ledger.open(filled_ledger) as ledger:
        expected = ledger.count(TxFilter(text="NETFLIX"))
        assert not ledger.rules()  # testing stores nothing
    assert f"Matches {expected:,} transactions" in view.message.text()
    assert view.matches.count() == min(expected, 50)
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10_000)
    with Ledger.open(filled_ledger) as ledger:
        assert ledger.count(TxFilter(category="Subscriptions")) == expected
    view.new_rule()
    view.pattern.setText("TESCO")
    view.category.setText("Groceries")
    view.save_rule()
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=10_000)
    view.table.selectRow(1)
    qtbot.mouseClick(view.up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "TESCO" in view.table.item(0, 1).text(), timeout=10_000)
    view.table.selectRow(0)
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10_000)
    with Ledger.open(filled_ledger) as ledger:
        assert [r.pattern for r in ledger.rules()] == ["netflix"]


def test_bad_rules_are_explained_and_not_saved(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    view = _rules(qtbot, make_window, filled_ledger)
    view.op.setCurrentText("regex")
    view.pattern.setText("([unclosed")
    view.category.setText("X")
    view.save_rule()
    assert "not a valid regular expression" in view.message.text()
    view.op.setCurrentText("contains")
    view.pattern.setText("shop")
    view.amount_min.setText("ten pounds")
    view.save_rule()
    assert "not an amount" in view.message.text()
    view.amount_min.setText("")
    view.category.setText("")
    view.save_rule()
    assert "Choose the category" in view.message.text()
    with Ledger.open(filled_ledger) as ledger:
        assert ledger.rules() == []
