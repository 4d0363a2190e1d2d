"""The Insights page's "Next" dates on the day a person looks: a payment expected before today
(after the newest imported statement) says it has not been seen, instead of reading as still to
come ("Next 11/21/26" for iCloud on 7 December, audit 8). Results come from the page's cache of
the last insights run, as when the insights service is unavailable (no supervisor here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop import formatting, result_cache


def _stream(merchant: str, next_date: dt.date) -> dict[str, Any]:
    return {
        "merchant": merchant,
        "cadence": "monthly",
        "amount": "-2.99",
        "currency": "GBP",
        "next_date": next_date.isoformat(),
        "active": True,
        "price_changes": [],
        "missed": [],
        "transactions": [1, 2],
    }


def test_a_next_date_already_past_says_it_was_not_seen(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    today = dt.date.today()
    past, coming = today - dt.timedelta(days=16), today + dt.timedelta(days=11)
    recurring = [_stream("Icloud Apple.com", past), _stream("Spotify", coming)]
    result_cache.save(
        filled_ledger, "insights", {"recurring": recurring, "anomalies": [], "currency": "GBP"}
    )
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    window.ctx.hub.start()
    qtbot.waitUntil(lambda: "No module" in window.ctx.hub.health("insights").reason, timeout=10_000)
    window.show_page("Insights")
    page = window.insights
    qtbot.waitUntil(lambda: page.subs.rowCount() == 2, timeout=10_000)
    assert page.subs.item(0, 3).text() == f"{formatting.day(past)}, not seen yet"
    assert "may have been paid since" in page.subs.item(0, 3).toolTip()
    assert page.subs.item(1, 3).text() == formatting.day(coming)


def test_delete_dismisses_the_current_alert_from_the_keyboard(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    anomalies = [
        {
            "id": i,
            "kind": "unusual_amount",
            "reason": f"{i}x your usual",
            "score": 3.0,
            "date": "2026-08-10",
            "merchant": m,
            "amount": "-220.00",
            "currency": "GBP",
        }
        for i, m in ((7, "Easyjet"), (9, "Tesco"))
    ]
    result_cache.save(
        filled_ledger, "insights", {"recurring": [], "anomalies": anomalies, "currency": "GBP"}
    )
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    window.ctx.hub.start()
    window.show_page("Insights")
    page = window.insights
    qtbot.waitUntil(lambda: page.alerts.rowCount() == 2, timeout=10_000)
    with qtbot.waitActive(window, timeout=5_000):
        window.activateWindow()
    page.alerts.setFocus()
    page.alerts.setCurrentCell(1, 0)  # as Tab and the arrow keys leave it
    qtbot.keyClick(page.alerts, Qt.Key.Key_Delete)
    assert page.alerts.rowCount() == 1
    assert page.alerts.item(0, 1).text() == "Easyjet"
    assert "unusual_amount:9" in page.dismissals.load()  # kept for the next start
