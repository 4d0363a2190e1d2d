"""With the window open, the categorizer's process is killed: the Transactions page says so in
place, newly imported rows show as pending, and after Retry both clear - the rows fill in by
themselves. Real hub, real categorizer sidecar, real ledger."""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, TxFilter
from desktop.health import Level
from desktop.models.transactions_model import CATEGORY


def _categorizer_hub() -> Any:
    from supervisor import Hub, ServiceSpec

    # One crash opens the circuit, so the outage lasts until Retry (a real restart would come
    # back in milliseconds from the zygote, too fast to look at).
    return Hub(services=[ServiceSpec("categorizer", max_restarts=0)])


def _pending(db: Path) -> int:
    with Ledger.open(db) as ledger:
        return ledger.count(TxFilter(categorize_state="pending"))


@pytest.mark.slow
def test_killing_the_categorizer_shows_pending_then_fills_in_after_retry(
    qtbot: Any, make_window: Any, filled_ledger: Path, tmp_path: Path, write_statement: Any
) -> None:
    pytest.importorskip("sklearn")
    window = make_window(filled_ledger, hub_factory=_categorizer_hub)
    hub = window.ctx.hub
    window.show_page("Transactions")
    view = window.transactions
    hub.start()
    qtbot.waitUntil(lambda: hub.health("categorizer").level is Level.READY, timeout=120_000)
    qtbot.waitUntil(lambda: _pending(filled_ledger) == 0, timeout=120_000)
    assert view.banner.text == ""

    rows: list[dict[str, Any]] = []
    hub.status_ready.connect(rows.extend)
    hub.refresh_status()
    qtbot.waitUntil(lambda: any(r.get("pid") for r in rows), timeout=10_000)
    pid = next(r["pid"] for r in rows if r["service"] == "categorizer" and r.get("pid"))
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: hub.health("categorizer").level is Level.FAILED, timeout=30_000)
    qtbot.waitUntil(
        lambda: "Automatic categories are unavailable" in view.banner.text, timeout=10_000
    )
    assert window.lights.lights["categorizer"].level is Level.FAILED

    # A new statement while the categorizer is away: stored at once, pending, shown as such.
    later = write_statement(tmp_path / "later.csv", 60, start=dt.date(2027, 1, 1))
    window.ctx.writer.submit(
        lambda ledger: ledger.import_file(later, "Checking", currency="USD"),
        lambda _result: window.ctx.events.changed.emit("import"),
    )
    qtbot.waitUntil(lambda: _pending(filled_ledger) > 0, timeout=30_000)
    model = view.model
    qtbot.waitUntil(
        lambda: model.rowCount() == 1060 and model.data(model.index(0, CATEGORY)) == "pending…",
        timeout=30_000,
    )

    # Retry (the Services page's button): the categorizer returns and the pending rows fill in.
    window.show_page("Services")
    page = window.services
    qtbot.waitUntil(lambda: page.table.rowCount() >= 1, timeout=10_000)
    page.table.selectRow(0)
    assert page.retry_button.isEnabled()
    page.retry_button.click()
    qtbot.waitUntil(lambda: hub.health("categorizer").level is Level.READY, timeout=120_000)
    qtbot.waitUntil(lambda: _pending(filled_ledger) == 0, timeout=120_000)
    window.show_page("Transactions")
    qtbot.waitUntil(lambda: view.banner.text == "", timeout=10_000)
    qtbot.waitUntil(lambda: model.data(model.index(0, CATEGORY)) != "pending…", timeout=30_000)
