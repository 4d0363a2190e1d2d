"""A big selection in the transactions table costs the GUI thread nothing per row: Qt's header
asked the model's flags for every selected cell at each repaint (one Python call each, and a
freeze of seconds while a lane held the GIL), and the page counted the selection the same way."""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from data.ledger import Ledger
from desktop.views.transactions import _selected_count

ROWS = 6000


def _flags_calls(action: Any) -> int:
    """How many times the GUI thread asks the table model's flags() during `action`."""
    calls = 0

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal calls
        code = frame.f_code
        if event == "call" and code.co_name == "flags" and code.co_filename.endswith("_model.py"):
            calls += 1

    sys.setprofile(profile)
    try:
        action()
        QApplication.processEvents()
    finally:
        sys.setprofile(None)
    return calls


def test_every_row_selected_then_the_window_resized(
    qtbot: Any, make_window: Any, ledger_path: Path, write_statement: Any, tmp_path: Path
) -> None:
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(write_statement(tmp_path / "big.csv", ROWS), "Checking")
    window = make_window(ledger_path)
    window.show_page("Transactions")
    page = window.transactions
    qtbot.waitUntil(lambda: page.model.rowCount() == ROWS, timeout=20_000)
    QApplication.processEvents()
    page.table.selectAll()
    QApplication.processEvents()
    assert page.selection_label.text() == f"{ROWS} selected"
    assert page.selected_rows() == list(range(ROWS))
    width = window.width()
    calls = _flags_calls(lambda: window.resize(width + 40, window.height()))
    # the visible cells' (a few hundred), not every selected cell's (36,000 before)
    assert 0 < calls < 2000, calls
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == 0
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert header.grab().width() > 0  # it still paints


def test_selected_count_of_overlapping_ranges(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    window.show_page("Transactions")
    model = window.transactions.model
    qtbot.waitUntil(lambda: model.rowCount() == 1000, timeout=20_000)
    selection = QItemSelection()
    for top, bottom in ((10, 19), (15, 24), (30, 30), (0, 4), (3, 5)):
        selection.select(model.index(top, 0), model.index(bottom, 5))
    assert _selected_count(selection) == len(set(range(10, 25)) | {30} | set(range(0, 6)))
    window.transactions.table.selectionModel().select(
        selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    assert window.transactions.selected_rows() == [*range(0, 6), *range(10, 25), 30]
