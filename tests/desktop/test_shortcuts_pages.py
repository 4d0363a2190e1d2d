"""The shortcuts list (F1) names the keys the pages' own widgets take, read off the widgets: F2
edits a transaction's category, Ctrl+Enter accepts the suggested categories, Delete dismisses an
alert (audit 9: the list named only the menus' keys). Real window offscreen, real ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu

from data.ledger import Ledger
from desktop.menus import ShortcutsDialog, key_text, plain
from desktop.window import PAGES


def _f1(qtbot: Any, window: Any) -> list[tuple[str, str, str]]:
    QApplication.processEvents()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.menus.shortcuts_dialog
    assert isinstance(dialog, ShortcutsDialog) and dialog.isVisible()
    rows: list[tuple[str, str, str]] = dialog.rows()
    dialog.close()
    return rows


def _native(text: str) -> str:
    return QKeySequence(text).toString(QKeySequence.SequenceFormat.NativeText)


def test_the_list_names_every_key_a_page_binds_and_the_three_the_audit_missed(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    rows = _f1(qtbot, window)
    by_where: dict[str, list[tuple[str, str]]] = {}
    for where, command, keys in rows:
        by_where.setdefault(where, []).append((command, keys))
    # every action with a key on a page's widgets (the list built the pages to read them)
    for name in PAGES:
        page = window.pages[name]
        for action in page.findChildren(QAction):
            if action.shortcuts() and not isinstance(action.parent(), QMenu):
                listed = by_where.get(f"{name} page", [])
                assert (plain(action.text()), key_text(action)) in listed, (name, action.text())
    transactions = dict(by_where["Transactions page"])
    assert transactions["Edit the category of the current row"] == "F2"
    accept = transactions["Accept the suggested categories"]
    assert {_native("Ctrl+Return"), _native("Ctrl+Enter")} <= set(accept.split(", "))
    assert ("Dismiss", _native("Del")) in by_where["Insights page"]
    # no page key is listed twice
    assert len(rows) == len(set(rows))


def test_f2_as_listed_edits_the_category_of_the_current_row(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    listed = [c for w, c, k in _f1(qtbot, window) if w == "Transactions page" and k == "F2"]
    assert listed == ["Edit the category of the current row"]
    window.show_page("Transactions")
    page = window.transactions
    with Ledger.open(filled_ledger) as ledger:
        total = ledger.count()
    qtbot.waitUntil(lambda: page.model.rowCount() == total, timeout=10_000)
    table = page.table
    model = table.model()
    category = next(
        c
        for c in range(model.columnCount())
        if str(model.headerData(c, Qt.Orientation.Horizontal)).lower() == "category"
    )
    table.setFocus()
    table.setCurrentIndex(model.index(0, category))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    assert table.state() == QAbstractItemView.State.EditingState
    assert table.currentIndex().column() == category
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)


def test_only_the_transactions_table_takes_f2(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    """The Import preview is read only: F2 there opened an editor whose text went nowhere, and the
    list offered it as 'Import page - F2'."""
    window = make_window(filled_ledger)
    f2 = [where for where, _, keys in _f1(qtbot, window) if keys == "F2"]
    assert f2 == ["Transactions page"]
    preview = window.pages["Import"].preview_table
    assert preview.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
