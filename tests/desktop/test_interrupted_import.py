"""Fincast killed in the middle of an import: nothing of the file is stored, and the next start
says so in the status bar. Before, the app came back after a kill -9 at 34% of a 50,000-row
statement as if no import had been asked (audit 9). A real app process (offscreen, no sidecars)
imports a real statement and is killed with SIGKILL; then a real window opens the ledger."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from data.ledger import Ledger
from tests.desktop.conftest import make_statement

REPO = Path(__file__).resolve().parents[2]


def test_a_killed_import_stores_nothing_and_the_next_start_says_so(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    with Ledger.open(ledger_path) as ledger:
        ledger.ensure_account("Everyday", "GBP")
    statement = make_statement(tmp_path / "big.csv", 60_000)
    args = ["-m", "tests.desktop.importing_app", str(ledger_path), str(statement), "Everyday"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with subprocess.Popen(
        [sys.executable, *args], cwd=REPO, stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "importing"  # the import's progress moved
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)

    window = make_window(ledger_path)
    status = window.statusBar()
    qtbot.waitUntil(lambda: "big.csv" in status.currentMessage(), timeout=15_000)
    message = status.currentMessage()
    assert "during the import of big.csv into Everyday" in message, message
    assert "nothing from that file was stored" in message, message
    with Ledger.open(ledger_path) as ledger:
        assert ledger.batches() == []
    window.close()
    again = make_window(ledger_path)  # said once, not at every start
    qtbot.wait(500)
    assert "big.csv" not in again.statusBar().currentMessage()
