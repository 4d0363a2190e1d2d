"""A window on a small ledger with the real categorizer sidecar behind a real hub (not yet
started): for the tests of the correction loop (a correction teaches it, an undo unlearns, the
Services page names its model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data.ledger import Ledger, TxFilter, Txn

# Six months of a hosting bill, groceries and pay: the hosting payee is the one corrected.
CSV = "Date,Description,Amount\n" + "".join(
    f"2024-0{m}-0{d},{text},{amount}\n"
    for m in range(1, 7)
    for d, text, amount in (
        (2, "QUILLSBY HOSTING LTD", "-32.00"),
        (3, "TESCO STORES 3297", "-41.20"),
        (4, "ACME LTD SALARY", "2500.00"),
    )
)


def categorizer_hub() -> Any:
    from supervisor import Hub, ServiceSpec

    return Hub(services=[ServiceSpec("categorizer")])


def hosting(db: Path) -> list[Txn]:
    """The hosting payee's rows, as the ledger holds them now."""
    with Ledger.open(db) as ledger:
        return ledger.transactions(TxFilter(text="quillsby"), limit=100)


def open_window(make_window: Any, tmp_path: Path) -> tuple[Any, Path]:
    """The statement imported into a new ledger (GBP) and a window on it; its hub not started."""
    statement = tmp_path / "bank.csv"
    statement.write_text(CSV, encoding="utf-8")
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        ledger.import_file(statement, "Current", currency="GBP")
    return make_window(db, hub_factory=categorizer_hub), db


def start_categorizer(qtbot: Any, window: Any) -> None:
    """Start the window's hub and wait until its categorizer is ready."""
    from desktop.health import Level

    hub = window.ctx.hub
    hub.start()
    qtbot.waitUntil(lambda: hub.health("categorizer").level is Level.READY, timeout=120_000)


def wait_categorized(qtbot: Any, db: Path) -> None:
    """Wait until the hosting payee's rows have had the categorizer's answer."""
    qtbot.waitUntil(
        lambda: all(t.categorize_state != "pending" for t in hosting(db)), timeout=120_000
    )
