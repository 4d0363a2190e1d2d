"""The GUI thread keeps its event loop turning while a 100,000-row statement is imported: a
watchdog timer records every stall, a sampler traces each one; the worst is printed and bounded
(loosely in wall time, at the 50 ms target for the GUI thread's own work)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger
from desktop.watchdog import LagRecorder, StallSampler

# Wall time: far above the 50 ms target (measured in bench/desktop.py), so a loaded two-core box
# does not fail the test, yet a GUI thread that ran the import itself (seconds) would.
STALL_LIMIT_MS = 1000
# The target itself, on what the app controls: the GUI thread's own CPU inside any one stall
# (desktop.watchdog.StallSampler, Linux schedstat); the OS's queueing is not counted.
OWN_WORK_LIMIT_MS = 50


@pytest.mark.slow
def test_a_100k_row_import_never_stalls_the_gui_thread(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    path = write_statement(tmp_path / "big.csv", 100_000)
    window = make_window(ledger_path)
    wizard = window.importing
    window.open_files([path])
    qtbot.waitUntil(lambda: wizard.staged is not None, timeout=60_000)
    wizard.account.setCurrentText("Big")
    watchdog = LagRecorder()
    watchdog.start()
    sampler = StallSampler(watchdog)
    sampler.start()
    wizard.commit()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == 3, timeout=240_000)
    watchdog.stop()
    sampler.halt()
    print(
        f"\nmain thread during a 100k-row import: worst stall {watchdog.worst_ms:.1f} ms, "
        f"p99 {watchdog.percentile_ms(99):.1f} ms over {len(watchdog.lags_ms)} ticks"
    )
    print(sampler.report())
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 100_000
    assert wizard.progress.value() == wizard.progress.maximum()
    assert len(watchdog.lags_ms) > 100  # the loop really turned during the import
    assert watchdog.worst_ms < STALL_LIMIT_MS, sampler.report()
    if sys.platform.startswith("linux"):
        assert sampler.worst_run_ms < OWN_WORK_LIMIT_MS, sampler.report()
