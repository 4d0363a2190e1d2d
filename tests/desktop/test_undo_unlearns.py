"""Undoing a correction undoes what the categorizer learned from it: the model is retrained
without the undone name, and the payee's other rows it had given that name are asked again.
Before, undo put back only the edited rows: after a bulk edit of 50,000 rows to a wrong name was
undone, the model that had learned the name gave it again to every one of them (audit 9). Real
window, real hub, real categorizer sidecar, real ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, TxFilter, Txn
from desktop import categorizing
from desktop.health import Level

CSV = "Date,Description,Amount\n" + "".join(
    f"2024-0{m}-0{d},{text},{amount}\n"
    for m in range(1, 7)
    for d, text, amount in (
        (2, "QUILLSBY HOSTING LTD", "-32.00"),
        (3, "TESCO STORES 3297", "-41.20"),
        (4, "ACME LTD SALARY", "2500.00"),
    )
)
WRONG = "Home broadband"  # a name no built-in example has: only the correction teaches it


def _categorizer_hub() -> Any:
    from supervisor import Hub, ServiceSpec

    return Hub(services=[ServiceSpec("categorizer")])


def _hosting(db: Path) -> list[Txn]:
    with Ledger.open(db) as ledger:
        return ledger.transactions(TxFilter(text="quillsby"), limit=100)


@pytest.mark.slow
def test_an_undone_correction_is_unlearned_and_its_payees_rows_follow(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    monkeypatch.setattr(categorizing, "RETRAIN_DEBOUNCE_S", 0.2)
    statement = tmp_path / "bank.csv"
    statement.write_text(CSV, encoding="utf-8")
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        ledger.import_file(statement, "Current", currency="GBP")
    window = make_window(db, hub_factory=_categorizer_hub)
    hub = window.ctx.hub
    hub.start()
    qtbot.waitUntil(lambda: hub.health("categorizer").level is Level.READY, timeout=120_000)
    qtbot.waitUntil(
        lambda: all(t.categorize_state != "pending" for t in _hosting(db)), timeout=120_000
    )
    before = {t.id: (t.category, t.category_source) for t in _hosting(db)}
    assert all(category != WRONG for category, _ in before.values())

    first = _hosting(db)[0]
    window.transactions.set_category([first], WRONG)  # a slip: the wrong name
    qtbot.waitUntil(
        lambda: all(t.category == WRONG for t in _hosting(db)), timeout=60_000
    )  # learned: the payee's other rows took it from the retrained model

    window.ctx.undo.undo()

    def unlearned() -> bool:
        rows = _hosting(db)
        return all(t.category != WRONG and t.categorize_state == "done" for t in rows)

    qtbot.waitUntil(unlearned, timeout=60_000)
    rows = {t.id: t for t in _hosting(db)}
    assert (rows[first.id].category, rows[first.id].category_source) == before[first.id]
    assert all(t.category_source != "user" for t in rows.values())
