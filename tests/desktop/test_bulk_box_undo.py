"""Ctrl+Z right after "Category for the selected rows" + Enter undoes the change: focus went on
sitting in the box, whose own Ctrl+Z only took back the typing, while Edit > Undo offered "Undo
set 1 transaction to ..." (audit 9). Keys pressed on the real window (offscreen, active)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from data.ledger import Ledger, TxFilter


def test_ctrl_z_after_setting_from_the_box_undoes_the_change(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    window.show_page("Transactions")
    view = window.transactions
    qtbot.waitUntil(lambda: view.model.loaded_rows(0, 0) is not None, timeout=15_000)
    view.table.selectRow(0)
    first = view.model.loaded_rows(0, 0)[0]
    view.bulk_category.setFocus()
    qtbot.waitUntil(view.bulk_category.hasFocus, timeout=5_000)
    qtbot.keyClicks(view.bulk_category, "Probe Category")
    qtbot.keyClick(view.bulk_category, Qt.Key.Key_Return)
    undo = window.ctx.undo
    qtbot.waitUntil(lambda: undo.index() == 1, timeout=10_000)

    def category() -> str | None:
        with Ledger.open(filled_ledger) as ledger:
            return ledger.transactions(TxFilter(ids=(first.id,)), limit=1)[0].category

    qtbot.waitUntil(lambda: category() == "Probe Category", timeout=10_000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert undo.index() == 0
    qtbot.waitUntil(lambda: category() == first.category, timeout=10_000)
