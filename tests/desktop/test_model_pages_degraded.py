"""Forecast and Insights pages while their services are down: the last results are shown with
their date, what is missing is said in place, dismissals stick, and nothing is a dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop import insighting, result_cache

FORECAST = {
    "series": [
        {
            "category": None,
            "kind": "spending",
            "method": "prophet",
            "backtest": {"mae": 12.5},
            "points": [
                {
                    "month": "2026-12",
                    "yhat": 812.4,
                    "lower": 700.0,
                    "upper": 930.0,
                    "lower95": 650.0,
                    "upper95": 990.0,
                },
                {
                    "month": "2027-01",
                    "yhat": 790.0,
                    "lower": 680.0,
                    "upper": 910.0,
                    "lower95": 630.0,
                    "upper95": 970.0,
                },
            ],
        },
        {
            "category": None,
            "kind": "net",
            "method": "seasonal_naive",
            "points": [{"month": "2026-12", "yhat": 300.0, "lower": -50.0, "upper": 600.0}],
        },
    ]
}


def test_forecast_page_shows_the_cached_forecast_with_its_date(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    result_cache.save(filled_ledger, "forecast", {"forecast": FORECAST, "currency": "USD"})
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    window.ctx.hub.start()
    qtbot.waitUntil(
        lambda: "No module" in window.ctx.hub.health("forecaster").reason, timeout=10_000
    )
    window.show_page("Forecast")
    page = window.forecast
    qtbot.waitUntil(
        lambda: not page._busy and "could not answer" in page.status.text(), timeout=20_000
    )
    assert "Showing the forecast made" in page.status.text()
    assert page.table.rowCount() == 2
    assert page.table.item(0, 0).text() == "All spending"
    assert page.table.item(0, 1).text() == "$812"
    assert "$700" in page.table.item(0, 2).text() and "$930" in page.table.item(0, 2).text()
    assert "needs a fresh forecast" in page.advice_text.text()
    assert "Spending forecasts are unavailable" in page.banner.text
    assert page.chart_view.chart().series()  # bands and lines drawn from the cache


def test_forecast_page_without_any_forecast_says_why(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    window.ctx.hub.start()
    qtbot.waitUntil(
        lambda: "No module" in window.ctx.hub.health("forecaster").reason, timeout=10_000
    )
    window.show_page("Forecast")
    page = window.forecast
    qtbot.waitUntil(lambda: "no earlier forecast" in page.status.text(), timeout=20_000)
    assert page.safe_amount.text() == "—"


def test_insights_page_shows_cached_results_and_dismissals_stick(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    anomalies = [
        {
            "id": 7,
            "kind": "duplicate",
            "reason": "Charged twice on the same day",
            "score": 3.0,
            "date": "2026-08-09",
            "merchant": "Easyjet",
            "amount": "-312.48",
        },
        {
            "id": 9,
            "kind": "unusual_amount",
            "reason": "4.1x your usual at Tesco",
            "score": 4.1,
            "date": "2026-08-10",
            "merchant": "Tesco",
            "amount": "-220.00",
            "currency": "EUR",
        },
    ]
    recurring = [
        {
            "merchant": "Netflix",
            "cadence": "monthly",
            "amount": "-12.99",
            "next_date": "2026-12-07",
            "active": True,
            "price_changes": [{"date": "2026-03-07", "old": "-10.99", "new": "-12.99"}],
            "missed": [],
            "transactions": [1, 2],
        },
        {
            "merchant": "Spotify",
            "cadence": "monthly",
            "amount": "-9.99",
            "currency": "EUR",  # paid from a euro account beside the pound ones
            "next_date": "2026-12-10",
            "active": True,
            "varies": False,
            "price_changes": [{"date": "2026-05-10", "old": "-8.99", "new": "-9.99"}],
            "missed": [],
            "transactions": [3, 4],
        },
        {
            "merchant": "Octopus Energy",
            "cadence": "monthly",
            "amount": "-123.22",
            "currency": "GBP",
            "next_date": "2026-12-18",
            "active": True,
            "varies": True,  # follows the seasons: the amount is a likely one
            "price_changes": [],
            "missed": [],
            "transactions": [11, 12],
        },
        {
            "merchant": "Acme Analytics",
            "cadence": "monthly",
            "amount": "3598.10",
            "currency": "GBP",
            "next_date": "2026-11-25",
            "active": True,
            "price_changes": [],
            "missed": [],
            "transactions": [5, 6],
        },
        {
            "merchant": "Old Gym",
            "cadence": "monthly",
            "amount": "-30.00",
            "currency": "GBP",
            "next_date": "2025-02-01",
            "active": False,  # stopped: not shown
            "price_changes": [],
            "missed": [],
            "transactions": [8, 10],
        },
    ]
    result_cache.save(
        filled_ledger,
        "insights",
        {"recurring": recurring, "anomalies": anomalies, "currency": "GBP"},
    )
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    window.ctx.hub.start()
    qtbot.waitUntil(lambda: "No module" in window.ctx.hub.health("insights").reason, timeout=10_000)
    window.show_page("Insights")
    page = window.insights
    qtbot.waitUntil(lambda: "Showing results from" in page.status.text(), timeout=10_000)
    assert "unavailable" in page.status.text()
    # money out, then the salary under a heading of its own: no salary reads as a subscription
    assert page.subs.rowCount() == 5
    assert [page.subs.item(r, 0).text() for r in range(5)] == [
        "Netflix",
        "Octopus Energy",
        "Spotify",
        "Coming in: income and other regular payments to you",
        "Acme Analytics",
    ]
    assert page.subs.columnSpan(3, 0) == page.subs.columnCount()
    assert page.subs.item(4, 2).text() == "£3,598.10"
    assert page.subs.item(1, 2).text() == "≈ -£123.22"  # a bill without a fixed price
    assert page.subs.item(0, 2).text() == "-£12.99"
    assert "-£10.99 → -£12.99" in page.subs.item(0, 4).text()
    # a series in another currency is shown in its own, not the ledger's main one
    assert page.subs.item(2, 2).text() == "-€9.99"
    assert "-€8.99 → -€9.99" in page.subs.item(2, 4).text()
    assert page.alerts.rowCount() == 2
    assert [page.alerts.item(r, 2).text() for r in (0, 1)] == ["-£312.48", "-€220.00"]
    qtbot.mouseClick(page.alerts.cellWidget(0, 4), Qt.MouseButton.LeftButton)
    assert page.alerts.rowCount() == 1
    assert "duplicate:7" in insighting.Dismissals(page.ctx.db).load()
    assert "duplicate:7" not in insighting.Dismissals(page.ctx.db.with_name("other.sqlite")).load()
    page._draw()
    assert page.alerts.rowCount() == 1  # still dismissed when drawn again
