"""The Services page and health lights against a real hub with a real (test) sidecar process:
state, pid, restarts, the crash seen in place with its log lines, Restart; and the event-loop
watchdog's worst stall while the sidecar is killed."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.health import Level
from desktop.watchdog import LagRecorder

REPO = Path(__file__).resolve().parents[2]


def _chaos_hub() -> Any:
    from supervisor import Hub, ServiceSpec

    spec = ServiceSpec(
        "insights",
        module="tests.helpers.chaos_sidecar",
        env={"PYTHONPATH": str(REPO), "CHAOS_SERVICE": "insights"},
        backoff_initial_s=1.0,  # long enough to see the outage in the page
        backoff_jitter=0.0,
    )
    return Hub(services=[spec])


def _row(page: Any, service: str) -> dict[str, Any] | None:
    return next((r for r in page.rows if r.get("service") == service), None)


def test_services_page_shows_a_crash_and_the_restart(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    pytest.importorskip("supervisor")
    window = make_window(ledger_path, hub_factory=_chaos_hub)
    window.show_page("Services")
    page = window.services
    hub = window.ctx.hub
    watchdog = LagRecorder()
    watchdog.start()
    hub.start()
    qtbot.waitUntil(lambda: hub.health("insights").level is Level.READY, timeout=30_000)
    qtbot.waitUntil(lambda: (_row(page, "insights") or {}).get("pid") is not None, timeout=10_000)
    pid = _row(page, "insights")["pid"]
    assert window.lights.lights["insights"].level is Level.READY
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: hub.health("insights").level is Level.UNAVAILABLE, timeout=10_000)
    assert "crash" in hub.health("insights").sentence()
    assert "exit code -9" in hub.health("insights").sentence()
    assert window.lights.lights["insights"].level is Level.UNAVAILABLE
    qtbot.waitUntil(lambda: hub.health("insights").level is Level.READY, timeout=30_000)
    qtbot.waitUntil(
        lambda: (_row(page, "insights") or {}).get("pid") not in (None, pid), timeout=10_000
    )
    assert _row(page, "insights")["restarts"] >= 1
    assert page.table.item(0, 0).text() == "insights"
    qtbot.waitUntil(lambda: "ready" in page.logs.toPlainText(), timeout=10_000)  # the hub log
    watchdog.stop()
    print(
        f"\nmain thread worst stall during a sidecar kill and restart: {watchdog.worst_ms:.1f} ms "
        f"(p99 {watchdog.percentile_ms(99):.1f} ms over {len(watchdog.lags_ms)} ticks)"
    )
    # Restart from the page: a new process serves.
    second = _row(page, "insights")["pid"]
    page.table.selectRow(0)
    qtbot.mouseClick(page.restart_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            (_row(page, "insights") or {}).get("pid") not in (None, second)
            and hub.health("insights").level is Level.READY
        ),
        timeout=30_000,
    )
