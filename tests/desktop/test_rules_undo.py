"""Saving or removing a rule is undoable from Edit > Undo, like a category edit: undoing a save
takes the rule away and gives the rows it re-categorized back what they had; the list under the
editor shows the rows as they are after a save (it kept their old categories); editing a rule
keeps its payee rename (the page dropped it)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from data.ledger import Ledger, TxFilter


def _ledger(path: Path, tmp_path: Path) -> dict[str, int]:
    """Three Netflix rows: one the model filed under Entertainment, one with no category, one
    the person filed under Gifts; and a Tesco row no rule here touches. Their ids by name."""
    rows = [
        ("2026-10-12", "NETFLIX.COM 1", "-9.99"),
        ("2026-11-12", "NETFLIX.COM 2", "-15.99"),
        ("2026-11-20", "NETFLIX GIFT CARD", "-25.00"),
        ("2026-11-21", "TESCO STORES", "-40.00"),
    ]
    statement = tmp_path / "s.csv"
    with statement.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Description", "Amount"])
        w.writerows(rows)
    with Ledger.open(path) as ledger:
        ledger.import_file(statement, "Current", currency="GBP")
        ids = {t.description: t.id for t in ledger.transactions(limit=10)}
        ledger.set_category([ids["NETFLIX.COM 1"]], "Entertainment", source="model")
        ledger.set_category([ids["NETFLIX GIFT CARD"]], "Gifts", source="user")
    return ids


def _state(db: Path) -> tuple[list[tuple[str, str | None, str | None]], list[tuple[str, str]]]:
    with Ledger.open(db) as ledger:
        rows = sorted(
            (t.description, t.category, t.category_source)
            for t in ledger.transactions(TxFilter(), limit=10)
        )
        rules = [(r.pattern, r.category or "") for r in ledger.rules()]
    return rows, rules


def test_undo_and_redo_a_saved_rule(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    _ledger(ledger_path, tmp_path)
    before = _state(ledger_path)
    window = make_window(ledger_path)
    window.show_page("Rules")
    view = window.rules
    view.pattern.setText("netflix")
    view.category.setText("Subscriptions")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message.text().startswith("Saved"), timeout=10_000)
    saved = _state(ledger_path)
    assert saved[1] == [("netflix", "Subscriptions")]
    assert ("NETFLIX.COM 1", "Subscriptions", "rule") in saved[0]
    assert ("NETFLIX.COM 2", "Subscriptions", "rule") in saved[0]
    assert ("NETFLIX GIFT CARD", "Gifts", "user") in saved[0]  # the person's own choice stays
    # the list under the editor shows the rows as they are now, not as they were
    qtbot.waitUntil(
        lambda: any(
            "NETFLIX.COM 2" in view.matches.item(i).text() for i in range(view.matches.count())
        ),
        timeout=10_000,
    )
    listed = [view.matches.item(i).text() for i in range(view.matches.count())]
    assert next(line for line in listed if "NETFLIX.COM 2" in line).endswith("[Subscriptions]")

    assert window.ctx.undo.canUndo()
    window.ctx.undo.undo()
    qtbot.waitUntil(lambda: _state(ledger_path)[1] == [], timeout=10_000)
    qtbot.waitUntil(lambda: view.message.text().startswith("Undone"), timeout=10_000)
    rows = _state(ledger_path)[0]
    assert rows == before[0]  # Entertainment (model), no category, Gifts (user), Tesco
    with Ledger.open(ledger_path) as ledger:
        waiting = [t.description for t in ledger.pending_categorization()]
    assert "NETFLIX.COM 2" in waiting  # it had no category: the categorizer suggests anew

    window.ctx.undo.redo()
    qtbot.waitUntil(lambda: _state(ledger_path) == saved, timeout=10_000)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10_000)


def test_undo_a_removed_rule_and_an_edit_keeps_the_payee_rename(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    _ledger(ledger_path, tmp_path)
    with Ledger.open(ledger_path) as ledger:
        ledger.add_rule("description", "contains", "tesco", "Groceries")
        ledger.add_rule("description", "contains", "netflix", "Fun", rename_payee="Netflix")
    window = make_window(ledger_path)
    window.show_page("Rules")
    view = window.rules
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=10_000)

    view.table.selectRow(1)  # edit the Netflix rule's category
    view.category.setText("Subscriptions")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message.text().startswith("Saved"), timeout=10_000)
    assert ("netflix", "Subscriptions") in _state(ledger_path)[1]
    with Ledger.open(ledger_path) as ledger:
        assert ledger.rules()[1].rename_payee == "Netflix"

    view.table.selectRow(0)
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message.text().startswith("Rule removed"), timeout=10_000)
    assert _state(ledger_path)[1] == [("netflix", "Subscriptions")]
    window.ctx.undo.undo()  # the removal
    qtbot.waitUntil(
        lambda: _state(ledger_path)[1] == [("tesco", "Groceries"), ("netflix", "Subscriptions")],
        timeout=10_000,
    )
    window.ctx.undo.undo()  # the edit: the rule as it was, rename and all, in its place
    qtbot.waitUntil(
        lambda: _state(ledger_path)[1] == [("tesco", "Groceries"), ("netflix", "Fun")],
        timeout=10_000,
    )
    with Ledger.open(ledger_path) as ledger:
        assert ledger.rules()[1].rename_payee == "Netflix"
