"""Undoing a category edit puts the rows back in steps (the Ledger has no one-transaction
restore); if Fincast dies between them, the rows keep their categories. Before, the first step
cleared them all: a kill -9 during the undo of a 50,000-row bulk edit left 49,999 rows
uncategorized and 'skipped' for good (audit 9). Real window, real ledger; the death between the
steps is the Ledger's last step refusing to run, since a real kill cannot be timed to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, Prediction, TxFilter


class Killed(Exception):
    """Fincast's end, as the last write of an undo would have met it."""


def test_rows_keep_their_categories_if_the_undo_is_cut_short(
    qtbot: Any, make_window: Any, filled_ledger: Path, monkeypatch: pytest.MonkeyPatch
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

    def categories() -> dict[int, tuple[str | None, str | None, str]]:
        with Ledger.open(filled_ledger) as ledger:
            got = ledger.transactions(TxFilter(ids=tuple(t.id for t in rows)), limit=10)
        return {t.id: (t.category, t.category_source, t.categorize_state) for t in got}

    qtbot.waitUntil(lambda: {c for c, _, _ in categories().values()} == {"Oops"}, timeout=10_000)

    def killed(self: Any, predictions: Any) -> int:
        raise Killed

    monkeypatch.setattr(Ledger, "apply_predictions", killed)
    window.ctx.undo.undo()
    qtbot.waitUntil(lambda: "Oops" not in {c for c, _, _ in categories().values()}, timeout=10_000)
    got = categories()
    assert [got[t.id] for t in rows[:4]] == [("Groceries", "model", "done")] * 4
    # the uncategorized rows lose only their suggestion (they are no category either way)
    assert [got[t.id][:2] for t in rows[4:]] == [(None, None)] * 2
