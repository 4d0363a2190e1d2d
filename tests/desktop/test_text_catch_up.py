"""After an import the window catches the text index up in the background, one chunk at a time,
so the user's first search is not the one that pays for it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from data.ledger import Ledger, TxFilter


def _mark_and_top(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT (SELECT upto FROM text_indexed), (SELECT max(id) FROM transactions)"
        ).fetchone()
    return int(row[0]), int(row[1])


def test_an_opened_ledger_and_each_import_get_their_text_indexed(
    qtbot: Any, make_window: Any, filled_ledger: Path, tmp_path: Path, write_statement: Any
) -> None:
    upto, top = _mark_and_top(filled_ledger)
    assert upto < top  # the import left the text to a catch-up
    window = make_window(filled_ledger)
    qtbot.waitUntil(lambda: _mark_and_top(filled_ledger)[0] == top, timeout=15_000)
    qtbot.waitUntil(lambda: not window._indexing, timeout=5_000)

    more = write_statement(tmp_path / "more.csv", 300)
    with Ledger.open(filled_ledger) as ledger:
        ledger.import_file(more, "Savings", currency="USD")
    upto, top = _mark_and_top(filled_ledger)
    assert upto < top
    window.ctx.events.changed.emit("import")
    qtbot.waitUntil(lambda: _mark_and_top(filled_ledger)[0] == top, timeout=15_000)
    with Ledger.open(filled_ledger) as ledger:
        found = ledger.count(TxFilter(account="Savings", text="tesco"))
        scanned = sum(
            1
            for t in ledger.transactions(TxFilter(account="Savings"), limit=10_000)
            if "tesco" in t.description.lower() or "tesco" in (t.payee or "").lower()
        )
    assert found == scanned > 0


def test_a_catch_up_is_done_in_chunks(tmp_path: Path, write_statement: Any) -> None:
    path = write_statement(tmp_path / "s.csv", 500)
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        ledger.import_file(path, "A", currency="USD")
        assert ledger.index_text(chunks=0) == 0
        assert ledger.index_text(chunks=1) == 500  # one chunk holds up to 50,000 rows
        assert ledger.index_text(chunks=1) == 0
