"""Keyboard only: Tab leaves every table (arrows move within one) and reaches what is below it.
The tables walked their cells with Tab for ever: on Transactions the category box and Export,
on Services Retry and the log, were out of a keyboard's reach
(audit 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView


def _tab_from(qtbot: Any, table: QTableView, presses: int = 3) -> Any:
    """Focus `table` on its first cell, press Tab `presses` times; the widget focused then."""
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.waitUntil(table.hasFocus, timeout=5_000)
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def test_tab_leaves_the_transactions_table_for_the_category_box(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    window.show_page("Transactions")
    view = window.transactions
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=15_000)
    reached = _tab_from(qtbot, view.table, presses=1)
    assert reached is view.bulk_category, reached
    qtbot.keyClick(reached, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is view.table


def test_tab_leaves_the_services_table(qtbot: Any, make_window: Any, ledger_path: Path) -> None:
    window = make_window(ledger_path)  # no hub: a row per service, "not running"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    window.show_page("Services")
    page = window.services
    qtbot.waitUntil(lambda: page.table.rowCount() == len(window.ctx.hub.services), timeout=5_000)
    reached = _tab_from(qtbot, page.table, presses=1)
    assert reached is not page.table and page.isAncestorOf(reached), reached
