"""A correction teaches the categorizer, and the other rows of the corrected payee follow it
once it has retrained: they kept the old guess until the next import. Real window, real hub,
real categorizer sidecar, real ledger."""

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


def _categorizer_hub() -> Any:
    from supervisor import Hub, ServiceSpec

    return Hub(services=[ServiceSpec("categorizer")])


def _hosting(db: Path) -> list[Txn]:
    with Ledger.open(db) as ledger:
        return ledger.transactions(TxFilter(text="quillsby"), limit=100)


@pytest.mark.slow
def test_the_corrected_payees_other_rows_follow_after_the_retrain(
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
    assert all(t.category != "Home broadband" for t in _hosting(db))  # a name it cannot guess

    first = _hosting(db)[0]
    window.transactions.set_category([first], "Home broadband")  # the person's correction

    def followed() -> bool:
        rows = _hosting(db)
        return all(t.category == "Home broadband" for t in rows) and all(
            t.category_source == "model" for t in rows if t.id != first.id
        )

    qtbot.waitUntil(followed, timeout=60_000)
    with Ledger.open(db) as ledger:
        tesco = ledger.transactions(TxFilter(text="tesco"), limit=10)
    assert all(t.category != "Home broadband" for t in tesco)  # other payees are not asked again
