"""The main window: title, pages, health lights, first run, demo data, drag and drop, and a
missing supervisor shown in place (never as a dialog)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QDialog

from desktop.health import Level
from desktop.window import PAGES, WARM_MODULES


def test_window_has_title_sidebar_and_a_light_per_service(
    make_window: Any, ledger_path: Path
) -> None:
    window = make_window(ledger_path)
    assert window.windowTitle() == "Fincast"
    names = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert names == list(PAGES)
    assert set(window.lights.lights) == {"categorizer", "forecaster", "insights", "advisor"}
    for page in PAGES:
        window.show_page(page)
        assert window.current_page() == page
        assert window.stack.currentWidget() is window.pages[page]


def test_first_run_offers_import_and_demo_then_demo_fills_the_dashboard(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    window = make_window(ledger_path)
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.report is not None, timeout=10_000)
    assert dash.stack.currentIndex() == 1  # the welcome page
    assert dash.import_button.text() == "Import statements"
    assert dash.demo_button.text() == "Try with demo data"
    qtbot.mouseClick(dash.demo_button, Qt.MouseButton.LeftButton)
    # The dashboard reloads as each demo file lands (a loaded machine can take seconds between
    # them), and draws its charts one per turn of the event loop: wait for the whole demo's
    # report, both accounts, and its charts drawn.
    qtbot.waitUntil(
        lambda: (
            dash.report is not None
            and bool(dash.report.by_category)
            and len(dash.report.months) == 12
            and (dash.report.balance[-1][0] - dash.report.balance[0][0]).days > 600
            and dash.charts is not None
            and not dash.charts.drawing
        ),
        timeout=60_000,
    )
    assert dash.stack.currentWidget() is dash.charts
    report = dash.report
    assert report.currency == "GBP"
    assert report.by_category and all(v > 0 for _, v in report.by_category)
    assert len(report.months) == 12
    assert report.balance and report.top_payees
    # Two demo accounts, two years of history.
    assert (report.balance[-1][0] - report.balance[0][0]).days > 600
    assert dash.charts.cards["Balance"].value.text().startswith(("£", "-£"))
    assert len(dash.charts.chart_views["category"].chart().series()) == 1


def test_missing_supervisor_shows_in_place_with_a_retry(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    window.ctx.hub.start()
    qtbot.waitUntil(
        lambda: "No module named" in window.ctx.hub.health("categorizer").reason, timeout=10_000
    )
    light = window.lights.lights["categorizer"]
    assert light.level is Level.UNAVAILABLE
    assert "Retrying in" in light.toolTip()
    window.show_page("Transactions")
    banner = window.transactions.banner
    qtbot.waitUntil(lambda: "Automatic categories are unavailable" in banner.text, timeout=5_000)
    # No modal dialog anywhere: the outage is written into the page.
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]


def test_dropping_a_statement_opens_the_import_wizard(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    window = make_window(ledger_path)
    csv_path = write_statement(tmp_path / "dropped.csv", 30)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(csv_path))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.current_page() == "Import"
    qtbot.waitUntil(lambda: window.importing.staged is not None, timeout=10_000)
    assert window.importing.preview_table.rowCount() == 30


def test_the_health_light_follows_hub_events(make_window: Any, ledger_path: Path) -> None:
    window = make_window(ledger_path)
    hub = window.ctx.hub
    hub._on_event({"type": "state", "service": "insights", "replica": 0, "state": "ready"})
    assert window.lights.lights["insights"].level is Level.READY
    hub._on_event(
        {"type": "state", "service": "insights", "replica": 0, "state": "failed", "reason": "x"}
    )
    assert window.lights.lights["insights"].level is Level.FAILED


def test_modules_the_lanes_need_are_imported_in_the_background_after_start(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    window = make_window(ledger_path)
    assert not window.warmed  # not during start-up: the first window comes first
    qtbot.waitUntil(lambda: window.warmed, timeout=10_000)
    assert all(name in sys.modules for name in WARM_MODULES)
