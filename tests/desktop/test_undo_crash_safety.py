"""Undoing a category edit puts the rows back in one transaction (Ledger.restore_categories),
whole: category, source, confidence, suggestion and state. Before, it took four writes and the
first cleared them all: a kill -9 during the undo of a 50,000-row bulk edit left 49,999 rows
uncategorized and 'skipped' for good (audit 9). Real window, real ledger; a death inside the
transaction is its failing on its last row, since a real kill cannot be timed to it
(tests/test_ledger_restore.py has the same at the ledger's level)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data.ledger import Ledger, Prediction, TxFilter

DIE = (
    "CREATE TRIGGER die BEFORE UPDATE OF category_id ON transactions WHEN old.id = {} "
    "BEGIN SELECT RAISE(ABORT, 'Fincast was killed'); END"
)


def test_rows_keep_their_categories_if_the_undo_is_cut_short(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    with Ledger.open(filled_ledger) as ledger:
        rows = ledger.transactions(TxFilter(account="Checking"), limit=6)
        ledger.apply_predictions(
            [Prediction(t.id, "Groceries", 0.91) for t in rows[:4]]
            + [Prediction(t.id, None, 0.4, suggestion="Transport") for t in rows[4:]]
        )
        before = ledger.transactions(TxFilter(ids=tuple(t.id for t in rows)), limit=10)
    window = make_window(filled_ledger)
    window.show_page("Transactions")
    window.transactions.set_category(before, "Oops")

    def categories() -> dict[int, tuple[str | None, str | None, float | None, str | None, str]]:
        with Ledger.open(filled_ledger) as ledger:
            got = ledger.transactions(TxFilter(ids=tuple(t.id for t in rows)), limit=10)
        return {
            t.id: (t.category, t.category_source, t.confidence, t.suggestion, t.categorize_state)
            for t in got
        }

    qtbot.waitUntil(lambda: {c[0] for c in categories().values()} == {"Oops"}, timeout=10_000)
    edited = categories()

    # Fincast's end inside the undo's transaction, at its last row: the rows stay as the edit
    # left them, none half put back (a trigger in the file aborts the writing lane's update)
    with Ledger.open(filled_ledger) as ledger:
        ledger._conn.execute(DIE.format(before[-1].id))
    window.ctx.undo.undo()
    behind: list[int] = []  # the writing lane is one queue: this runs after the undo's write
    window.ctx.writer.submit(lambda _ledger: None, lambda _: behind.append(1))
    qtbot.waitUntil(lambda: behind == [1], timeout=10_000)
    assert categories() == edited
    with Ledger.open(filled_ledger) as ledger:
        ledger._conn.execute("DROP TRIGGER die")
    window.ctx.undo.redo()
    window.ctx.undo.undo()
    want = {
        t.id: (t.category, t.category_source, t.confidence, t.suggestion, t.categorize_state)
        for t in before
    }
    qtbot.waitUntil(lambda: categories() == want, timeout=10_000)
    assert [want[t.id][:4] for t in rows[4:]] == [(None, None, 0.4, "Transport")] * 2
