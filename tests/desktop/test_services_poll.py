"""The Services page asks the hub for its replica table once per tick of its timer, not again for
every reply: a status reply folds its rows into the health board, which reports each service as
changed, and the page used to answer that with another poll (1,113 hub.status() calls in 3 s
with one real sidecar, the GUI thread busy drawing the table until the window stopped painting).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from desktop.health import Level

REPO = Path(__file__).resolve().parents[2]


def _one_sidecar_hub() -> Any:
    from supervisor import Hub, ServiceSpec

    spec = ServiceSpec(
        "insights",
        module="tests.helpers.chaos_sidecar",
        env={"PYTHONPATH": str(REPO), "CHAOS_SERVICE": "insights"},
    )
    return Hub(services=[spec])


def test_one_status_reply_does_not_ask_for_another(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    pytest.importorskip("supervisor")
    window = make_window(ledger_path, hub_factory=_one_sidecar_hub)
    adapter = window.ctx.hub
    adapter.start()
    qtbot.waitUntil(lambda: adapter.health("insights").level is Level.READY, timeout=30_000)
    window.show_page("Services")
    page = window.services
    page.timer.stop()  # only the replies themselves may ask again now
    asked: list[int] = []
    real_status = adapter.hub.status

    def counting_status() -> Any:
        asked.append(1)
        return real_status()

    adapter.hub.status = counting_status
    replies: list[Any] = []
    adapter.status_ready.connect(replies.append)
    adapter.refresh_status()
    qtbot.waitUntil(lambda: len(replies) >= 1, timeout=10_000)
    # Give a loop every chance to show itself: each turn of it takes a few milliseconds.
    qtbot.wait(500)
    assert page.isVisible()
    assert [r["service"] for r in page.rows] == ["insights"]
    # One reply may bring one follow-up poll (the reply's health news), never a chain of them.
    assert len(asked) <= 2, f"hub.status() asked {len(asked)} times for one refresh"


def test_news_of_a_crash_still_refreshes_the_table(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    pytest.importorskip("supervisor")
    window = make_window(ledger_path, hub_factory=_one_sidecar_hub)
    adapter = window.ctx.hub
    adapter.start()
    qtbot.waitUntil(lambda: adapter.health("insights").level is Level.READY, timeout=30_000)
    window.show_page("Services")
    page = window.services
    qtbot.waitUntil(lambda: bool(page.rows) and page.rows[0].get("pid") is not None, timeout=10_000)
    page.timer.stop()  # from here only the hub's events can make the page ask
    pid = page.rows[0]["pid"]
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(
        lambda: page.rows[0].get("pid") not in (None, pid) and page.rows[0]["restarts"] >= 1,
        timeout=20_000,
    )
    assert page.table.item(0, 3).text() == str(page.rows[0]["pid"])
