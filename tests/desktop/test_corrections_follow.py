"""A correction teaches the categorizer, and the other rows of the corrected payee follow it
once it has retrained: they kept the old guess until the next import. Real window, real hub,
real categorizer sidecar, real ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, TxFilter
from desktop import categorizing
from tests.desktop.categorizer_window import (
    hosting,
    open_window,
    start_categorizer,
    wait_categorized,
)


@pytest.mark.slow
def test_the_corrected_payees_other_rows_follow_after_the_retrain(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    monkeypatch.setattr(categorizing, "RETRAIN_DEBOUNCE_S", 0.2)
    window, db = open_window(make_window, tmp_path)
    start_categorizer(qtbot, window)
    wait_categorized(qtbot, db)
    assert all(t.category != "Home broadband" for t in hosting(db))  # a name it cannot guess

    first = hosting(db)[0]
    window.transactions.set_category([first], "Home broadband")  # the person's correction

    def followed() -> bool:
        rows = hosting(db)
        return all(t.category == "Home broadband" for t in rows) and all(
            t.category_source == "model" for t in rows if t.id != first.id
        )

    qtbot.waitUntil(followed, timeout=60_000)
    with Ledger.open(db) as ledger:
        tesco = ledger.transactions(TxFilter(text="tesco"), limit=10)
    assert all(t.category != "Home broadband" for t in tesco)  # other payees are not asked again
