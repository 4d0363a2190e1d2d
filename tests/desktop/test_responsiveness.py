"""What keeps the GUI thread free, each shown on the real window: the stall sampler finds the code
that blocked the event loop; the dashboard coalesces bursts of ledger changes and redraws only the
charts whose numbers changed; a hidden Forecast page draws when shown; a correction never starts
a thread; a closed window's retrainer is dropped; the app's GIL and GC settings are in force."""

from __future__ import annotations

import dataclasses
import gc
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from desktop import categorizing, result_cache
from desktop.models.transactions_model import CATEGORY
from desktop.watchdog import LagRecorder, StallSampler, parse_dump

STALL_MS = 120  # how long the deliberate stalls below keep the GUI thread (well over 30 ms)


def _deliberately_busy() -> None:
    end = time.perf_counter() + STALL_MS / 1000
    while time.perf_counter() < end:
        pass


def _deliberately_asleep() -> None:
    time.sleep(STALL_MS / 1000)


def test_the_sampler_names_the_code_that_stalled_the_gui_thread(qtbot: Any) -> None:
    recorder = LagRecorder()
    recorder.start()
    sampler = StallSampler(recorder)
    sampler.start()
    try:
        QTimer.singleShot(50, _deliberately_busy)
        QTimer.singleShot(400, _deliberately_asleep)

        def spots() -> set[str]:
            return {s.culprit(("test_responsiveness",)) for s in sampler.finished()}

        def both_seen() -> bool:  # other stalls (a busy machine) may come too: look for ours
            found = " ".join(spots())
            return "_deliberately_busy" in found and "_deliberately_asleep" in found

        qtbot.waitUntil(both_seen, timeout=20_000)
    finally:
        recorder.stop()
        sampler.halt()
    asleep = next(s for s in sampler.finished() if "_deliberately_asleep" in s.culprit(("test_",)))
    busy = next(s for s in sampler.finished() if "_deliberately_busy" in s.culprit(("test_",)))
    if sys.platform.startswith("linux"):  # schedstat accounts the time: a sleep is not running
        assert asleep.main_run_ms < asleep.length_ms / 2, asleep
        assert busy.main_run_ms > asleep.main_run_ms, (busy, asleep)
    report = sampler.report(roots=("test_responsiveness",))
    assert "_deliberately_busy" in report and "_deliberately_asleep" in report


def test_faulthandler_dumps_parse_into_stacks(tmp_path: Path) -> None:
    import faulthandler

    path = tmp_path / "dump.txt"
    with path.open("w+") as f:
        faulthandler.dump_traceback(f, all_threads=True)
    stacks = parse_dump(path.read_text())
    mine = stacks[threading.get_ident()]
    assert mine[-1][2] == "test_faulthandler_dumps_parse_into_stacks"
    assert mine[-1][0].endswith("test_responsiveness.py")
    assert parse_dump("") == {} and parse_dump("\x00garbage\nFile nowhere") == {}


def test_the_app_shortens_the_gil_switch_and_freezes_its_startup_heap(
    make_window: Any, ledger_path: Path
) -> None:
    make_window(ledger_path)
    assert sys.getswitchinterval() <= 0.001 + 1e-9
    assert gc.get_freeze_count() > 0


def test_the_dashboard_coalesces_a_burst_of_changes(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.report is not None and dash.report.transactions > 0)
    before = dash.reloads
    for _ in range(50):
        window.ctx.events.changed.emit("categorized")
    qtbot.waitUntil(lambda: dash.reloads > before and not dash._loading, timeout=10_000)
    qtbot.wait(800)  # long past the coalescing delay: no more reloads follow
    assert dash.reloads - before <= 2  # one for the burst (and at most one for a late change)

    window.show_page("Transactions")
    hidden = dash.reloads
    for _ in range(20):
        window.ctx.events.changed.emit("import")
    qtbot.wait(800)
    assert dash.reloads == hidden  # nothing computed for a page no one sees
    window.show_page("Dashboard")
    qtbot.waitUntil(lambda: dash.reloads == hidden + 1 and not dash._loading, timeout=10_000)


def _drawn_dashboard(qtbot: Any, make_window: Any, ledger: Path) -> Any:
    """The dashboard of a new window on `ledger`, once every chart of its report is drawn."""
    dash = make_window(ledger).dashboard
    qtbot.waitUntil(lambda: dash.charts is not None and not dash.charts.drawing, timeout=10_000)
    return dash


def test_dashboard_charts_redraw_only_what_changed(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    dash = _drawn_dashboard(qtbot, make_window, filled_ledger)
    views = dash.charts.chart_views
    first = {name: v.chart() for name, v in views.items()}
    assert all(c.series() for c in first.values())  # every chart was drawn
    dash.show_report(dash.report)  # the same numbers again
    qtbot.waitUntil(lambda: not dash.charts.drawing)
    assert all(views[n].chart() is c for n, c in first.items())
    moved = dataclasses.replace(
        dash.report, balance=[(d, v + 100_000) for d, v in dash.report.balance]
    )
    dash.show_report(moved)
    qtbot.waitUntil(lambda: not dash.charts.drawing, timeout=10_000)
    assert views["balance"].chart() is not first["balance"]
    assert [n for n, c in first.items() if views[n].chart() is c] == [
        "category",
        "months",
        "payees",
    ]


def test_charts_still_queued_when_their_widget_goes_are_dropped(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    # A window closed between two chart draws left a queued draw touching a deleted QChartView
    # (RuntimeError in the event loop, seen when the next test ran).
    dash = _drawn_dashboard(qtbot, make_window, filled_ledger)
    moved = dataclasses.replace(
        dash.report,
        balance=[(d, v + 100_000) for d, v in dash.report.balance],
        top_payees=[(n, v + 1) for n, v in dash.report.top_payees],
    )
    charts = dash.charts
    charts.show_report(moved)
    assert charts.drawing  # two draws queued, one per turn of the event loop
    with qtbot.waitSignal(charts.destroyed, timeout=5_000):
        charts.deleteLater()
    qtbot.wait(50)  # the queued draws' turns come and go without touching the dead views


FORECAST = {
    "series": [
        {
            "kind": "spending",
            "category": None,
            "method": "seasonal naive",
            "points": [
                {"month": "2026-09", "yhat": 812.0, "lower": 700.0, "upper": 930.0},
                {"month": "2026-10", "yhat": 790.0, "lower": 680.0, "upper": 910.0},
            ],
        }
    ]
}


def test_a_hidden_forecast_page_draws_when_shown(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    result_cache.save(filled_ledger, "forecast", {"forecast": FORECAST, "currency": "USD"})
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    page = window.forecast  # built, never shown
    page.refresh()
    qtbot.waitUntil(lambda: not page._busy and page.forecast is not None, timeout=20_000)
    assert page.table.rowCount() == 0  # answered while hidden: nothing drawn yet
    window.show_page("Forecast")
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "All spending"
    assert page.chart_view.chart().series()


def test_corrections_start_no_thread_and_a_closed_window_drops_its_retrainer(
    qtbot: Any, make_window: Any, filled_ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(filled_ledger)
    ctx = window.ctx
    assert id(ctx) in categorizing._retrainers  # made (with its thread) as the window opened
    threads = threading.active_count()
    for i in range(30):
        categorizing.learn(ctx, [{"id": 1, "category": f"C{i}"}])
    assert threading.active_count() == threads
    retrainer = categorizing._retrainers[id(ctx)]
    window.close()
    assert id(ctx) not in categorizing._retrainers
    assert retrainer.runs == 0  # the scheduled retrain was dropped with the window


def test_the_retrainer_runs_once_per_quiet_period_and_stops_on_cancel() -> None:
    fired = threading.Event()
    runs: list[float] = []

    def run() -> None:
        runs.append(time.monotonic())
        fired.set()

    retrainer = categorizing.Retrainer(run, delay=0.05)
    for _ in range(10):
        retrainer.poke()
    assert fired.wait(10)
    fired.clear()
    retrainer.poke()
    assert fired.wait(10)
    retrainer.cancel()
    retrainer.poke()  # after cancel: ignored
    assert retrainer._thread is not None
    retrainer._thread.join(10)
    assert not retrainer._thread.is_alive()
    assert len(runs) == 2 and retrainer.runs == 2


def test_a_refresh_repaints_only_the_rows_that_changed(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    from data.ledger import Ledger

    window = make_window(filled_ledger)
    window.show_page("Transactions")
    model = window.transactions.model
    qtbot.waitUntil(lambda: model.rowCount() > 0 and model.txn(0) is not None, timeout=10_000)
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, *_: changes.append((a.row(), b.row())))

    def refreshed() -> None:
        # The pager lane runs in order and hands results back in order: when a no-op sent after
        # the refresh comes back, the refresh has been applied.
        model.refresh_in_place()
        back: list[Any] = []
        window.ctx.pager.submit(lambda _ledger: None, back.append)
        qtbot.waitUntil(lambda: bool(back), timeout=10_000)

    refreshed()
    assert changes == []  # nothing changed: nothing repainted
    target = model.txn(5)
    assert target is not None
    cell = model.index(5, CATEGORY)
    assert model.data(cell) != "Coffee"  # (now in the model's per-row cache)
    with Ledger.open(filled_ledger) as ledger:
        ledger.set_category([target.id], "Coffee", source="user")
    refreshed()
    assert changes == [(5, 5)]
    fresh = model.txn(5)
    assert fresh is not None and fresh.category == "Coffee"
    assert model.data(cell) == "Coffee"  # the cache let go of the changed row


def test_fresh_insights_are_cached_off_the_gui_thread(
    qtbot: Any, make_window: Any, filled_ledger: Path, no_supervisor: Any
) -> None:
    window = make_window(filled_ledger, hub_factory=no_supervisor)
    page = window.insights
    recurring = [{"merchant": "Netflix", "cadence": "monthly", "amount": "-12.99", "active": True}]
    anomalies = [{"id": 3, "kind": "duplicate", "reason": "twice", "amount": "-5.00"}]
    assert result_cache.load(filled_ledger, "insights") is None
    page._answered({"recurring": recurring, "anomalies": anomalies})
    assert page.recurring == recurring  # shown at once
    qtbot.waitUntil(
        lambda: result_cache.load(filled_ledger, "insights") is not None, timeout=10_000
    )
    cached = result_cache.load(filled_ledger, "insights")
    assert cached is not None
    assert cached[1]["recurring"] == recurring and cached[1]["anomalies"][0]["id"] == 3
