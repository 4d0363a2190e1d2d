"""The window's Forecast page and `fincast advise` give one ledger the same "safe to set aside"
figure and the same reasons: both reserve the regular payments the insights find (audit 9, D2:
the window reserved them from the Insights page's last result, the command line never did).

The real window offscreen with its real hub and sidecars, and the real CLI in a child process,
on one real ledger whose regular payments are next due within a month of today."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.regular_ledger import regular_ledger

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # a window with every sidecar, then a CLI with three: ~20 s


def test_the_window_and_the_cli_advise_the_same(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    due = regular_ledger(ledger_path, tmp_path, dt.date.today())
    window = make_window(ledger_path)
    window.ctx.hub.start()
    # a person who looked at their subscriptions first, then at the Forecast page
    window.show_page("Insights")
    insights = window.insights
    qtbot.waitUntil(lambda: bool(insights.recurring) and not insights._pending, timeout=90_000)
    window.show_page("Forecast")
    page = window.forecast
    qtbot.waitUntil(lambda: page.advice is not None and not page._busy, timeout=180_000)
    shown = page.advice
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "advise", "--db", str(ledger_path), "--json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    told = json.loads(out.stdout)["advice"]
    assert told["amount"] == shown["amount"]
    assert told["reasons"] == shown["reasons"]
    reserve = next(r for r in told["reasons"] if "known upcoming payments" in r)
    assert f"plus {due / 100:,.2f} GBP of known upcoming payments" in reserve
