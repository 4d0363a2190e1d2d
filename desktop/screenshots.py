"""Write a PNG of every page of the window from the demo ledger: `make screenshots`.

Uses a fresh private app home (never the user's data), imports the demo statements through the
app's own import path, starts the model services when they are installed (pages without them
show their degraded state, which is worth seeing too), waits for each page to settle, and grabs
it offscreen. Also writes the dashboard in a dark palette. Used by `make screenshots`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZE = (1360, 860)


def _spin(app: Any, until: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until `until()` or the deadline; returns whether it came true."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(30, loop.quit)
        loop.exec()
    return True


def _dark_palette() -> Any:
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#25272a",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2f33",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Highlight: "#3b82c4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Mid: "#5f6368",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.ToolTipBase: "#2d2f33",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    return p


def main(argv: list[str]) -> int:  # noqa: PLR0915 (a page is built in one place)
    """Write the screenshots into argv[1]; 0 on success."""
    if len(argv) != 2:
        sys.stderr.write("usage: python -m desktop.screenshots DIR\n")
        return 1
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["FINCAST_HOME"] = tempfile.mkdtemp(prefix="fincast-shots-")
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from desktop import app as desktop_app

    app = QApplication.instance() or QApplication(["fincast-screenshots"])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    # The demo person banks in pounds; show their numbers and dates the way they would see them.
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    db = Path(os.environ["FINCAST_HOME"]) / "ledger.sqlite"
    window = desktop_app.create(db)
    window.resize(*SIZE)
    window.show()
    written: list[str] = []

    def grab(name: str) -> None:
        _spin(app, lambda: False, 0.3)  # let late repaints land
        path = out / f"{name}.png"
        window.grab().save(str(path))
        written.append(path.name)

    _spin(app, lambda: window.dashboard.report is not None, 20)
    grab("first-run")
    window.ctx.hub.start()
    window.importing.import_demo()
    dash = window.dashboard
    _spin(app, lambda: dash.report is not None and dash.report.transactions > 0, 120)
    # Give the model services a chance to come up and categorize (they may be absent: fine).
    _spin(app, lambda: all(window.ctx.hub.health(s).ok for s in window.ctx.hub.services), 90)
    window.pump.kick()
    _spin(app, lambda: dash.report is not None and dash.report.pending == 0, 90)
    dash.reload()
    _spin(app, lambda: False, 1.0)
    window.show_page("Dashboard")
    grab("dashboard")

    window.show_page("Transactions")
    model = window.transactions.model
    _spin(app, lambda: model.rowCount() > 0 and model.txn(0) is not None, 30)
    window.transactions.table.selectRow(3)
    grab("transactions")

    window.show_page("Import")
    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    window.importing.open_files([samples / "demo_credit_card.csv"])
    _spin(app, lambda: window.importing.staged is not None, 30)
    grab("import")

    window.show_page("Forecast")
    fc = window.forecast
    _spin(app, lambda: fc.forecast is not None or (not fc._busy and fc.status.text() != ""), 180)
    _spin(app, lambda: fc.advice is not None, 30)
    grab("forecast")

    window.show_page("Insights")
    ins = window.insights
    _spin(app, lambda: not ins._pending and (ins.recurring or ins.status.text()), 120)
    grab("insights")

    window.show_page("Rules")
    rules = window.rules
    rules.new_rule()
    rules.pattern.setText("TFL TRAVEL")
    rules.category.setText("Transport")
    rules.save_rule()
    _spin(app, lambda: rules.message.text().startswith("Saved"), 60)
    rules.new_rule()
    rules.pattern.setText("NETFLIX")
    rules.category.setText("Subscriptions")
    rules.test_rule()
    _spin(app, lambda: rules.matches.count() > 0 or "Matches" in rules.message.text(), 30)
    grab("rules")

    window.show_page("Services")
    _spin(app, lambda: bool(window.services.rows) or window.ctx.hub.hub is None, 10)
    grab("services")

    window.close()
    # Widgets take their palette when built, so the dark look gets a window of its own.
    app.setPalette(_dark_palette())
    window = desktop_app.create(db)
    window.resize(*SIZE)
    window.show()
    dark = window.dashboard
    _spin(app, lambda: dark.report is not None and dark.report.transactions > 0, 30)
    grab("dashboard-dark")
    window.close()
    sys.stdout.write(f"wrote {len(written)} screenshots to {out}: {', '.join(written)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
