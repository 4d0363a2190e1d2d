"""Undoing a correction undoes what the categorizer learned from it: the model is retrained
without the undone name, and the payee's other rows it had given that name are asked again.
Before, undo put back only the edited rows: after a bulk edit of 50,000 rows to a wrong name was
undone, the model that had learned the name gave it again to every one of them (audit 9). Real
window, real hub, real categorizer sidecar, real ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop import categorizing
from tests.desktop.categorizer_window import (
    hosting,
    open_window,
    start_categorizer,
    wait_categorized,
)

WRONG = "Home broadband"  # a name no built-in example has: only the correction teaches it


@pytest.mark.slow
def test_an_undone_correction_is_unlearned_and_its_payees_rows_follow(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    monkeypatch.setattr(categorizing, "RETRAIN_DEBOUNCE_S", 0.2)
    window, db = open_window(make_window, tmp_path)
    start_categorizer(qtbot, window)
    wait_categorized(qtbot, db)
    before = {t.id: (t.category, t.category_source) for t in hosting(db)}
    assert all(category != WRONG for category, _ in before.values())

    first = hosting(db)[0]
    window.transactions.set_category([first], WRONG)  # a slip: the wrong name
    qtbot.waitUntil(
        lambda: all(t.category == WRONG for t in hosting(db)), timeout=60_000
    )  # learned: the payee's other rows took it from the retrained model

    window.ctx.undo.undo()

    def unlearned() -> bool:
        rows = hosting(db)
        return all(t.category != WRONG and t.categorize_state == "done" for t in rows)

    qtbot.waitUntil(unlearned, timeout=60_000)
    rows = {t.id: t for t in hosting(db)}
    assert (rows[first.id].category, rows[first.id].category_source) == before[first.id]
    assert all(t.category_source != "user" for t in rows.values())
