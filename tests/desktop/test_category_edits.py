"""Category edits on the Transactions page as a person makes them: an undo that puts every row
back exactly as it was (the categorizer's confidence, suggestion and reasons included), a bulk
edit of a selection longer than the loaded pages, and taking the categorizer's suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt

from data.ledger import Ledger, Prediction, TxFilter, Txn
from desktop.models.transactions_model import CATEGORY, PAGE


def _open(qtbot: Any, make_window: Any, db: Path) -> tuple[Any, Any]:
    window = make_window(db)
    window.show_page("Transactions")
    view = window.transactions
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    return window, view


def _loaded(qtbot: Any, model: Any, row: int) -> Txn:
    model.txn(row)
    qtbot.waitUntil(lambda: model.txn(row) is not None, timeout=10_000)
    return model.txn(row)


def _stored(db: Path, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Every categorization field of the rows `ids`, as another reader finds them."""
    with Ledger.open(db) as ledger:
        return {
            t.id: (
                t.category,
                t.category_source,
                t.confidence,
                t.suggestion,
                t.reasons,
                t.categorize_state,
            )
            for t in ledger.transactions(TxFilter(ids=tuple(ids)), limit=len(ids))
        }


def _select_rows(view: Any, first: int, last: int) -> None:
    model = view.model
    flags = QItemSelectionModel.SelectionFlag
    selection = QItemSelection(model.index(first, 0), model.index(last, 0))
    view.table.selectionModel().select(selection, flags.ClearAndSelect | flags.Rows)


def test_undo_of_a_bulk_edit_puts_back_what_the_categorizer_had_said(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    with Ledger.open(filled_ledger) as ledger:
        newest = ledger.transactions(limit=5)
        ids = [t.id for t in newest]
        ledger.apply_predictions(
            [
                Prediction(ids[0], "Groceries", 0.91, reasons=("tesco", "stores")),
                Prediction(ids[1], None, 0.31, suggestion="Eating out", reasons=("pret",)),
                Prediction(ids[2], "Fuel", None, source="rule"),
                Prediction(ids[3], None, 0.12),  # no usable answer
            ]
        )
        ledger.set_category([ids[4]], "Rent", source="user")
    before = _stored(filled_ledger, ids)
    window, view = _open(qtbot, make_window, filled_ledger)
    for row in range(5):
        _loaded(qtbot, view.model, row)
    _select_rows(view, 0, 4)
    view.bulk_category.setText("Travel")
    qtbot.mouseClick(view.bulk_apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: {v[:2] for v in _stored(filled_ledger, ids).values()} == {("Travel", "user")},
        timeout=10_000,
    )
    window.ctx.undo.undo()
    qtbot.waitUntil(lambda: _stored(filled_ledger, ids) == before, timeout=10_000)
    # and the table, read again from the ledger, still shows the suggestion
    view.model.refresh()
    qtbot.waitUntil(lambda: view.model.data(view.model.index(1, CATEGORY)) == "Eating out?")
    window.ctx.undo.redo()
    qtbot.waitUntil(
        lambda: {v[:2] for v in _stored(filled_ledger, ids).values()} == {("Travel", "user")},
        timeout=10_000,
    )


def test_a_bulk_edit_reaches_every_selected_row_not_only_the_loaded_ones(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    rows = model.rowCount()
    assert rows == 1000 > PAGE  # the pages past the first are not loaded until shown
    view.table.selectAll()
    assert model.loaded_rows(0, rows - 1) is None
    view.bulk_category.setText("Travel")
    qtbot.mouseClick(view.bulk_apply, Qt.MouseButton.LeftButton)
    with Ledger.open(filled_ledger) as ledger:
        qtbot.waitUntil(lambda: ledger.count(TxFilter(category="Travel")) == rows, timeout=10_000)
    assert view.copy_status.text() == f"{view.locale().toString(rows)} rows: Travel."
    assert window.ctx.undo.count() == 1
    window.ctx.undo.undo()
    with Ledger.open(filled_ledger) as ledger:
        # as before: no category, every row waiting for the categorizer
        qtbot.waitUntil(
            lambda: ledger.count(TxFilter(categorize_state="pending")) == rows, timeout=10_000
        )
        assert ledger.count(TxFilter(category="Travel")) == 0


def _suggest(db: Path) -> list[Txn]:
    """The ledger's five newest rows: three with a suggestion only, one categorized by the
    model, one with no usable answer."""
    with Ledger.open(db) as ledger:
        newest = ledger.transactions(limit=5)
        ledger.apply_predictions(
            [
                Prediction(newest[0].id, None, 0.41, suggestion="Eating out"),
                Prediction(newest[1].id, "Groceries", 0.91),
                Prediction(newest[2].id, None, 0.35, suggestion="Transport"),
                Prediction(newest[3].id, None, 0.10),
                Prediction(newest[4].id, None, 0.52, suggestion="Eating out"),
            ]
        )
        return ledger.transactions(TxFilter(ids=tuple(t.id for t in newest)), limit=5)


def test_enter_takes_the_suggestion_the_editor_opens_with(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    first = _suggest(filled_ledger)[0]
    window, view = _open(qtbot, make_window, filled_ledger)
    assert _loaded(qtbot, view.model, 0).id == first.id
    with qtbot.waitActive(window, timeout=5_000):
        window.activateWindow()
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, CATEGORY))
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    editor = view.table.indexWidget(view.model.index(0, CATEGORY)) or view.table.focusWidget()
    assert editor.text() == "Eating out" and editor.selectedText() == "Eating out"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: _stored(filled_ledger, [first.id])[first.id][:2] == ("Eating out", "user"),
        timeout=10_000,
    )


def test_ctrl_enter_accepts_the_selected_suggestions_as_one_step(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    rows = _suggest(filled_ledger)
    ids = [t.id for t in rows]
    before = _stored(filled_ledger, ids)
    window, view = _open(qtbot, make_window, filled_ledger)
    for row in range(5):
        _loaded(qtbot, view.model, row)
    with qtbot.waitActive(window, timeout=5_000):
        window.activateWindow()
    view.table.setFocus()
    _select_rows(view, 0, 4)
    qtbot.keyClick(view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    want = {
        ids[0]: ("Eating out", "user"),
        ids[1]: ("Groceries", "model"),  # had a category: left alone
        ids[2]: ("Transport", "user"),
        ids[3]: (None, None),  # nothing suggested
        ids[4]: ("Eating out", "user"),
    }
    qtbot.waitUntil(
        lambda: {i: v[:2] for i, v in _stored(filled_ledger, ids).items()} == want,
        timeout=10_000,
    )
    assert window.ctx.undo.count() == 1
    window.ctx.undo.undo()
    qtbot.waitUntil(lambda: _stored(filled_ledger, ids) == before, timeout=10_000)
    # the row menu offers the same, for the mouse
    menu = view.row_menu_for(0)
    assert view.accept_action in menu.actions()


def test_a_category_name_the_ledger_refuses_is_not_shown_as_set(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    first = _loaded(qtbot, view.model, 0)
    view.table.selectRow(0)
    view.bulk_category.setText("Groceries and more " * 27)  # 513 characters
    qtbot.mouseClick(view.bulk_apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not changed" in view.copy_status.text(), timeout=10_000)
    assert "longer than 200 characters" in view.copy_status.text()
    assert view.model.data(view.model.index(0, CATEGORY)) == "pending…"  # as before
    assert _stored(filled_ledger, [first.id])[first.id][:2] == (None, None)
    assert window.ctx.undo.count() == 0 and not window.ctx.undo.canUndo()
