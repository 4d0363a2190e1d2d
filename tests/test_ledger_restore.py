"""Ledger.restore_categories puts rows' categorization back exactly as a snapshot holds it
(what an undo needs), in one transaction: cut short, it changes nothing (audit 9: an undo that
took four writes, killed between them, left 49,999 rows uncategorized for good)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.ledger import Ledger, Prediction, TxFilter, Txn

ROWS = [f"2024-03-{d:02d},SHOP {d},-{d}.00" for d in range(1, 8)]


def _kept(t: Txn) -> tuple[object, ...]:
    return (t.category, t.category_source, t.confidence, t.suggestion, t.reasons,
            t.categorize_state)  # fmt: skip


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    statement = tmp_path / "s.csv"
    statement.write_text("Date,Description,Amount\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    with Ledger.open(tmp_path / "l.sqlite") as opened:
        opened.import_file(statement, "Main")
        yield opened


def _rows(ledger: Ledger) -> list[Txn]:
    return ledger.transactions(TxFilter(), limit=100, order="id_asc")


def _every_kind(ledger: Ledger) -> list[Txn]:
    """One row of each kind of categorization, and one still pending."""
    ids = [t.id for t in _rows(ledger)]
    ledger.set_category(ids[:1], "Mine")  # the user's
    ledger.apply_predictions(
        [
            Prediction(ids[1], "Groceries", 0.91, reasons=('payee "shop"',)),  # the model's
            Prediction(ids[2], "Rent", 1.0, source="rule"),
            Prediction(ids[3], None, 0.4, suggestion="Transport", reasons=("shop",)),
        ]
    )
    ledger.set_category(ids[4:5], None)  # cleared: skipped
    ledger.apply_predictions([Prediction(ids[5], None, 0.2)])
    ledger.mark_pending(ids[6:])
    return _rows(ledger)


def test_every_kind_of_row_comes_back_exactly(ledger: Ledger) -> None:
    before = _every_kind(ledger)
    assert len({t.categorize_state for t in before}) == 3  # done, skipped, pending
    ledger.set_category([t.id for t in before], "Oops")
    assert {t.category for t in _rows(ledger)} == {"Oops"}
    assert ledger.restore_categories(before) == len(before)
    assert [_kept(t) for t in _rows(ledger)] == [_kept(t) for t in before]


def test_cut_short_at_its_last_row_it_changes_nothing(ledger: Ledger) -> None:
    before = _every_kind(ledger)
    ledger.set_category([t.id for t in before], "Oops")
    edited = [_kept(t) for t in _rows(ledger)]
    ledger._conn.execute(
        "CREATE TRIGGER die BEFORE UPDATE OF category_id ON transactions "
        f"WHEN old.id = {before[-1].id} BEGIN SELECT RAISE(ABORT, 'killed'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="killed"):
        ledger.restore_categories(before)
    assert [_kept(t) for t in _rows(ledger)] == edited


def test_renamed_categories_are_followed_and_deleted_ones_stay_deleted(ledger: Ledger) -> None:
    before = _every_kind(ledger)
    ledger.set_category([t.id for t in before], "Oops")
    ledger.rename_category("Groceries", "Food")
    ledger.rename_category("Mine", "Still mine")
    ledger.delete_category("Rent")
    ledger.restore_categories(before)
    got = {t.id: (t.category, t.category_source) for t in _rows(ledger)}
    assert got[before[0].id] == ("Still mine", "user")  # not a second category by the old name
    assert got[before[1].id] == ("Food", "model")
    assert got[before[2].id] == (None, None)  # the rule's, deleted since
    assert "Mine" not in {c.name for c in ledger.categories()}
