"""The Transactions page over a real ledger: paging, SQL sort and filters, inline and bulk
category edits with undo/redo, and "make a rule from this"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from data.ledger import Ledger, TxFilter
from desktop.models.transactions_model import AMOUNT, CATEGORY, DESCRIPTION, PAGE


def _open(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    window.show_page("Transactions")
    view = window.transactions
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    return window, view


def _loaded(qtbot: Any, model: Any, row: int) -> Any:
    model.txn(row)
    qtbot.waitUntil(lambda: model.txn(row) is not None, timeout=10_000)
    return model.txn(row)


def _categories(db: Path, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    with Ledger.open(db) as ledger:
        return {
            t.id: (t.category, t.category_source)
            for t in ledger.transactions(TxFilter(ids=tuple(ids)), limit=len(ids))
        }


def test_rows_page_in_from_sqlite_newest_first(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    assert model.rowCount() == 1000
    assert (
        view.count_label.text() == "1,000 transactions"
        or "1000" in view.count_label.text().replace(",", "")
    )
    first = _loaded(qtbot, model, 0)
    last = _loaded(qtbot, model, 999)  # a page far from the first, loaded on demand
    assert first.date >= last.date
    assert model.data(model.index(0, DESCRIPTION)) == first.description
    # Only the pages asked for are held.
    assert len(model._pages) <= 3 and 999 // PAGE in model._pages


def test_sorting_by_amount_is_done_in_sql(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    with qtbot.waitSignal(model.counted, timeout=10_000):
        view.table.sortByColumn(AMOUNT, Qt.SortOrder.AscendingOrder)
    amounts = [_loaded(qtbot, model, r).amount for r in range(5)]
    assert amounts == sorted(amounts)
    with Ledger.open(filled_ledger) as ledger:
        assert amounts[0] == ledger.transactions(limit=1, order="amount_asc")[0].amount


def test_search_and_filters_narrow_the_count(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    _window, view = _open(qtbot, make_window, filled_ledger)
    with qtbot.waitSignal(view.model.counted, timeout=10_000) as blocker:
        view.search.setText("payroll")
    with Ledger.open(filled_ledger) as ledger:
        expected = ledger.count(TxFilter(text="payroll"))
    assert blocker.args == [expected] and 0 < expected < 1000
    with qtbot.waitSignal(view.model.counted, timeout=10_000) as blocker:
        view.uncategorized.setChecked(True)
    assert blocker.args == [expected]  # nothing is categorized yet


def test_a_deep_row_of_a_search_pages_from_its_counts_marks(
    qtbot: Any, make_window: Any, filled_ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model counts a search before it pages it, on the same lane (so the same Ledger):
    a deep row then comes from the marks that count left, and is the row a plain query gives."""
    from data.ledger import marks
    from data.ledger import search as search_module
    from desktop.models import transactions_model

    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)  # counts go to the index, as at 1M rows
    monkeypatch.setattr(marks, "MARK_EVERY", 16)
    monkeypatch.setattr(transactions_model, "PAGE", 40)  # a deep row is several pages down
    answered: list[int] = []
    page = marks.TextMarks.page

    def counting(self: marks.TextMarks, *args: Any) -> list[int] | None:
        ids = page(self, *args)
        if ids is not None:
            answered.append(len(ids))
        return ids

    monkeypatch.setattr(marks.TextMarks, "page", counting)
    _window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    with qtbot.waitSignal(model.counted, timeout=10_000) as blocker:
        view.search.setText("tesco")
    with Ledger.open(filled_ledger) as ledger:
        expected = ledger.transactions(TxFilter(text="tesco"), limit=1000)
    assert blocker.args == [len(expected)] and len(expected) > 4 * 40
    deep = len(expected) - 3
    assert _loaded(qtbot, model, deep) == expected[deep]
    assert answered  # the page came from the marks


def test_inline_edit_then_undo_and_redo(qtbot: Any, make_window: Any, filled_ledger: Path) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    txn = _loaded(qtbot, model, 0)
    assert model.setData(model.index(0, CATEGORY), "Groceries", Qt.ItemDataRole.EditRole)
    assert model.data(model.index(0, CATEGORY)) == "Groceries"  # shown at once
    qtbot.waitUntil(
        lambda: _categories(filled_ledger, [txn.id])[txn.id] == ("Groceries", "user"),
        timeout=10_000,
    )
    assert window.ctx.undo.canUndo()
    with qtbot.waitActive(window, timeout=5_000):  # shortcuts go to the active window
        window.activateWindow()
    view.table.setFocus()
    qtbot.keySequence(window, QKeySequence("Ctrl+Z"))
    qtbot.waitUntil(
        lambda: _categories(filled_ledger, [txn.id])[txn.id] == (None, None), timeout=10_000
    )
    qtbot.keySequence(window, QKeySequence("Ctrl+Shift+Z"))
    qtbot.waitUntil(
        lambda: _categories(filled_ledger, [txn.id])[txn.id] == ("Groceries", "user"),
        timeout=10_000,
    )


def test_bulk_edit_of_a_selection_is_one_undo_step(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    txns = [_loaded(qtbot, model, r) for r in range(4)]
    for r in range(4):
        view.table.selectionModel().select(
            model.index(r, 0),
            view.table.selectionModel().SelectionFlag.Select
            | view.table.selectionModel().SelectionFlag.Rows,
        )
    assert view.selection_label.text() == "4 selected"
    view.bulk_category.setText("Travel")
    qtbot.mouseClick(view.bulk_apply, Qt.MouseButton.LeftButton)
    ids = [t.id for t in txns]
    qtbot.waitUntil(
        lambda: set(_categories(filled_ledger, ids).values()) == {("Travel", "user")},
        timeout=10_000,
    )
    assert window.ctx.undo.count() == 1
    window.ctx.undo.undo()
    qtbot.waitUntil(
        lambda: set(_categories(filled_ledger, ids).values()) == {(None, None)}, timeout=10_000
    )


def test_make_a_rule_from_a_transaction_opens_the_rule_editor(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    txn = _loaded(qtbot, view.model, 1)
    view.table.selectRow(1)
    qtbot.mouseClick(view.make_rule, Qt.MouseButton.LeftButton)
    assert window.current_page() == "Rules"
    assert window.rules.pattern.text() == txn.payee
    qtbot.waitUntil(lambda: "Matches" in window.rules.message.text(), timeout=10_000)
    assert window.rules.matches.count() >= 1


def test_confidence_and_reasons_are_shown(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    from data.ledger import Prediction

    with Ledger.open(filled_ledger) as ledger:
        newest = ledger.transactions(limit=2)
        ledger.apply_predictions(
            [
                Prediction(newest[0].id, "Groceries", 0.91, reasons=("tesco", "stores")),
                Prediction(newest[1].id, None, 0.31, suggestion="Eating out"),
            ]
        )
    _window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    _loaded(qtbot, model, 0)
    conf = model.index(0, CATEGORY + 1)
    assert model.data(conf) == "91%"
    tip = model.data(model.index(0, CATEGORY), Qt.ItemDataRole.ToolTipRole)
    assert "91% confident" in tip
    assert "Because of: tesco, stores" in tip
    assert model.data(model.index(1, CATEGORY)) == "Eating out?"
    assert "Best guess: Eating out" in model.data(
        model.index(1, CATEGORY), Qt.ItemDataRole.ToolTipRole
    )


def test_undoing_an_edit_of_a_pending_row_wakes_the_categorize_pump(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window, view = _open(qtbot, make_window, filled_ledger)
    model = view.model
    txn = _loaded(qtbot, model, 0)
    assert txn.categorize_state == "pending"  # no categorizer has run on this ledger
    seen: list[str] = []
    window.ctx.events.changed.connect(seen.append)
    assert model.setData(model.index(0, CATEGORY), "Groceries", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: "categories" in seen, timeout=10_000)
    window.ctx.undo.undo()
    # The pump listens for "undo": the row is pending again and must be categorized promptly.
    qtbot.waitUntil(lambda: "undo" in seen, timeout=10_000)
    with Ledger.open(filled_ledger) as ledger:
        assert ledger.count(TxFilter(ids=(txn.id,), categorize_state="pending")) == 1
