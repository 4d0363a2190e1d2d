"""The Transactions table's row context menu (a real right-click, and the Menu key) and Ctrl+C of
the selected rows as tab-separated text, over a real ledger in a real window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from data.ledger import Ledger, TxFilter, Txn
from data.money import format_decimal
from desktop.views import row_copy

# What the offscreen platform says when a menu pops up (it cannot raise a window or grab the
# keyboard); about the platform, not our code.
POPUP_NOISE = (
    "QtWarningMsg: This plugin does not support raise()",
    "QtWarningMsg: This plugin does not support grabbing the keyboard",
)
MENU = [
    "Set category…",
    "Accept the suggested categories",
    "Make a rule from this…",
    "Show all from this payee",
    "Show this month",
]
HEADER = "date\taccount\tdescription\tamount\tcurrency\tcategory\n"


@pytest.fixture
def popups(_fail_on_qt_warnings: list[str]) -> Iterator[None]:
    """Menus may pop up in this test: the offscreen platform's words about that are let pass
    (every other Qt warning still fails the test)."""
    yield
    _fail_on_qt_warnings[:] = [m for m in _fail_on_qt_warnings if m not in POPUP_NOISE]


def _open(qtbot: Any, make_window: Any, db: Path) -> tuple[Any, Any]:
    window = make_window(db)
    window.show_page("Transactions")
    view = window.transactions
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: view.model.txn(0) is not None, timeout=10_000)
    return window, view


def _right_click(qtbot: Any, view: Any, pos: QPoint) -> None:
    """What Qt delivers for a right-click on the table: the press, then the context menu."""
    viewport = view.table.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.RightButton, pos=pos)
    qtbot.mouseRelease(viewport, Qt.MouseButton.RightButton, pos=pos)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, event)


def _row_point(view: Any, row: int) -> QPoint:
    return view.table.visualRect(view.model.index(row, 2)).center()


def _texts(menu: Any) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def _action(menu: Any, text: str) -> Any:
    return next(a for a in menu.actions() if a.text() == text)


def _ledger_rows(db: Path, flt: TxFilter | None = None, limit: int = 100) -> list[Txn]:
    with Ledger.open(db) as ledger:
        return ledger.transactions(flt, limit=limit)


def _expected_tsv(txns: list[Txn]) -> str:
    # written out here, not with row_copy, so that a mistake there cannot agree with itself
    return HEADER + "".join(
        f"{t.date.isoformat()}\t{t.account}\t{t.description}\t"
        f"{format_decimal(t.amount, t.currency)}\t{t.currency}\t{t.category or ''}\n"
        for t in txns
    )


def test_a_right_click_selects_the_row_and_opens_its_menu(
    qtbot: Any, make_window: Any, filled_ledger: Path, popups: None
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    _right_click(qtbot, view, _row_point(view, 2))
    menu = view.row_menu
    assert menu is not None and menu.isVisible()
    assert _texts(menu) == [*MENU, "Copy"]
    assert [i.row() for i in view.table.selectionModel().selectedRows()] == [2]
    assert all(a.isEnabled() for a in menu.actions() if not a.isSeparator())
    txn = view.model.txn(2)

    _action(menu, "Show all from this payee").trigger()
    assert view.search.text() == txn.payee
    qtbot.waitUntil(lambda: not view.model.loading and view.model.filter.text == txn.payee)
    with Ledger.open(filled_ledger) as ledger:
        assert view.model.rowCount() == ledger.count(TxFilter(text=txn.payee)) > 1
    menu.close()

    qtbot.waitUntil(lambda: view.model.txn(0) is not None, timeout=10_000)
    _right_click(qtbot, view, _row_point(view, 0))
    first = view.model.txn(0)
    _action(view.row_menu, "Show this month").trigger()
    month = first.date.replace(day=1)
    end = (month + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    assert view.search.text() == ""  # show_filter clears what the month does not name
    assert view.current_filter() == TxFilter(date_from=month, date_to=end)
    qtbot.waitUntil(lambda: not view.model.loading and view.model.filter.date_from == month)
    with Ledger.open(filled_ledger) as ledger:
        assert view.model.rowCount() == ledger.count(TxFilter(date_from=month, date_to=end))
    view.row_menu.close()

    qtbot.waitUntil(lambda: view.model.txn(0) is not None, timeout=10_000)
    _right_click(qtbot, view, _row_point(view, 0))
    target = view.model.txn(0)
    _action(view.row_menu, "Make a rule from this…").trigger()
    assert window.current_page() == "Rules"
    assert window.rules.pattern.text() == target.payee


def test_set_category_in_the_menu_goes_to_the_category_box(
    qtbot: Any, make_window: Any, filled_ledger: Path, popups: None
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    with qtbot.waitActive(window, timeout=5_000):
        window.activateWindow()
    _right_click(qtbot, view, _row_point(view, 1))
    _action(view.row_menu, "Set category…").trigger()
    view.row_menu.close()
    qtbot.waitUntil(view.bulk_category.hasFocus, timeout=5_000)


def test_the_menu_key_opens_the_current_rows_menu(
    qtbot: Any, make_window: Any, filled_ledger: Path, popups: None
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    txn = view.model.txn(3)  # on the first page, loaded
    view.table.setCurrentIndex(view.model.index(3, 0))
    center = view.table.rect().center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, center, view.table.mapToGlobal(center)
    )
    QApplication.sendEvent(view.table, event)
    assert view.row_menu is not None and view.row_menu.isVisible()
    view.row_menu.close()
    _action(view.row_menu, "Show all from this payee").trigger()
    assert view.search.text() == txn.payee


def test_a_right_click_below_the_rows_opens_nothing(
    qtbot: Any, make_window: Any, filled_ledger: Path, popups: None
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    window.show_transactions(text="payroll")  # 20 rows, in a window with room below them
    window.resize(1200, 980)
    qtbot.waitUntil(lambda: view.model.rowCount() == 20, timeout=10_000)
    qtbot.waitUntil(lambda: view.table.viewport().height() > 21 * 26, timeout=5_000)
    below = QPoint(20, view.table.viewport().height() - 3)
    assert not view.table.indexAt(below).isValid()
    _right_click(qtbot, view, below)
    assert view.row_menu is None


def test_ctrl_c_copies_the_selected_rows_as_tab_separated_text(
    qtbot: Any, make_window: Any, filled_ledger: Path, popups: None
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    with Ledger.open(filled_ledger) as ledger:
        first = ledger.transactions(limit=1)[0]
        ledger.set_category([first.id], 'Bob\'s "50%_off"')
    view.model.refresh()
    qtbot.waitUntil(
        lambda: (t := view.model.txn(0)) is not None and t.category is not None, timeout=10_000
    )
    sel = view.table.selectionModel()
    for row in (0, 1, 4):  # not contiguous
        sel.select(view.model.index(row, 0), _rows_select())
    QApplication.clipboard().setText("before")
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    rows = _ledger_rows(filled_ledger)
    expected = _expected_tsv([rows[0], rows[1], rows[4]])
    assert QApplication.clipboard().text() == expected
    assert expected.splitlines()[1].split("\t")[3] == format_decimal(rows[0].amount, "USD")
    assert 'Bob\'s "50%_off"' in expected  # the category, as stored
    assert view.copy_status.text() == "Copied 3 rows."

    # the menu's Copy does the same
    QApplication.clipboard().setText("before")
    _right_click(qtbot, view, _row_point(view, 4))  # inside the selection: it stays
    assert len(sel.selectedRows()) == 3
    _action(view.row_menu, "Copy").trigger()
    assert QApplication.clipboard().text() == expected


def test_copy_with_nothing_selected_leaves_the_clipboard_alone(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    view.table.clearSelection()
    QApplication.clipboard().setText("before")
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "before"
    assert view.copy_status.text() == "Nothing is selected to copy."


def test_a_selection_beyond_the_loaded_pages_is_read_on_the_lane(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    assert view.model.loaded_rows(0, 999) is None  # only the first pages are loaded
    view.table.selectAll()
    QApplication.clipboard().setText("before")
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "before"  # not yet: the lane reads the rows
    assert view.copy_status.text() == "Copying 1,000 rows…"
    qtbot.waitUntil(lambda: view.copy_status.text() == "Copied 1,000 rows.", timeout=10_000)
    assert QApplication.clipboard().text() == _expected_tsv(_ledger_rows(filled_ledger, limit=1000))


def test_a_copy_made_stale_by_a_new_filter_copies_nothing(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    view.table.selectAll()
    QApplication.clipboard().setText("before")
    view.copy_selection()
    view.show_filter(text="payroll")  # before the lane answers: the rows no longer line up
    qtbot.waitUntil(lambda: "nothing was copied" in view.copy_status.text(), timeout=10_000)
    assert QApplication.clipboard().text() == "before"


def _rows_select() -> QItemSelectionModel.SelectionFlag:
    flag = QItemSelectionModel.SelectionFlag
    return flag.Select | flag.Rows


def test_cells_never_break_a_row_or_run_as_a_formula() -> None:
    assert row_copy.cell("A\tB\nC\rD") == "A B C D"
    assert row_copy.cell("=HYPERLINK(1)") == " =HYPERLINK(1)"
    assert row_copy.cell("+44 20") == " +44 20"
    spans = row_copy.merge([(5, 9), (0, 2), (3, 3), (8, 12)])
    assert spans == [(0, 3), (5, 12)] and row_copy.rows_in(spans) == 12


def test_many_loaded_rows_have_their_text_built_on_the_lane(
    qtbot: Any, make_window: Any, filled_ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.views import transactions

    monkeypatch.setattr(transactions, "COPY_ON_GUI_ROWS", 2)
    _window, view = _open(qtbot, make_window, filled_ledger)
    for row in (0, 1, 2):
        view.table.selectionModel().select(view.model.index(row, 0), _rows_select())
    QApplication.clipboard().setText("before")
    view.copy_selection()
    assert view.copy_status.text() == "Copying 3 rows…"
    qtbot.waitUntil(lambda: view.copy_status.text() == "Copied 3 rows.", timeout=10_000)
    assert QApplication.clipboard().text() == _expected_tsv(_ledger_rows(filled_ledger, limit=3))


def test_ctrl_c_in_the_table_wins_over_a_window_wide_copy_shortcut(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    from PySide6.QtGui import QAction, QKeySequence

    window, view = _open(qtbot, make_window, filled_ledger)
    other = QAction("Copy elsewhere", window)  # as an Edit > Copy in the menu bar would be
    other.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    window.addAction(other)
    fired: list[bool] = []
    other.triggered.connect(lambda: fired.append(True))
    with qtbot.waitActive(window, timeout=5_000):
        window.activateWindow()
    view.table.setFocus()
    view.table.selectRow(0)
    qtbot.waitUntil(view.table.hasFocus, timeout=5_000)
    QApplication.clipboard().setText("before")
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == _expected_tsv(_ledger_rows(filled_ledger, limit=1))
    assert not fired
    view.export_button.setFocus()  # elsewhere in the window its shortcut still works
    qtbot.waitUntil(view.export_button.hasFocus, timeout=5_000)
    qtbot.keyClick(view.export_button, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True]
