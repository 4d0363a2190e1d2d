"""The Forecast page's chart: the Actual line stops at the forecast's own history boundary, a month
the ledger has only begun is a dot with its figure so far (never a fake dip), and the Forecast
line joins the last whole month only when it is the month just before the forecast."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, Qt

from desktop import formatting, result_cache
from desktop.views.forecast import (
    NET,
    TOTAL,
    ChartPoints,
    _history,
    chart_points,
    series_points,
)


def _forecast(first: dt.date) -> dict[str, Any]:
    """A forecaster answer (as cached) whose spending and net series start in `first`'s month."""
    second = _month_start(first, -1)
    band = {"lower": 700.0, "upper": 930.0, "lower95": 650.0, "upper95": 990.0}
    return {
        "series": [
            {
                "category": None,
                "kind": "spending",
                "method": "smoothed_level",
                "points": [
                    {"month": first.isoformat()[:7], "yhat": 812.4, **band},
                    {"month": second.isoformat()[:7], "yhat": 790.0, **band},
                ],
            },
            {
                "category": None,
                "kind": "net",
                "method": "smoothed_level",
                "points": [
                    {"month": first.isoformat()[:7], "yhat": 300.0, "lower": -50.0, "upper": 600.0}
                ],
            },
        ]
    }


# -- chart_points: exact splits ---------------------------------------------------------------


def test_a_partial_month_is_split_off_and_the_forecast_joins_the_month_before() -> None:
    history = [("2026-09", 2480.0), ("2026-10", 4210.5), ("2026-11", 772.0)]
    split = chart_points(history, ["2026-11", "2026-12", "2027-01"])
    assert split == ChartPoints(
        actual=[("2026-09", 2480.0), ("2026-10", 4210.5)],
        so_far=[("2026-11", 772.0)],
        join=("2026-10", 4210.5),
    )


def test_whole_history_before_the_forecast_has_no_so_far_point() -> None:
    history = [("2026-09", 2480.0), ("2026-10", 4210.5)]
    split = chart_points(history, ["2026-11-01", "2026-12-01"])  # a day part is ignored
    assert split == ChartPoints(history, [], ("2026-10", 4210.5))


def test_no_history_draws_the_forecast_alone() -> None:
    assert chart_points([], ["2026-11", "2026-12"]) == ChartPoints([], [], None)


def test_history_without_a_forecast_is_shown_as_it_is() -> None:
    history = [("2026-10", 4210.5), ("2026-11", 772.0)]
    assert chart_points(history, []) == ChartPoints(history, [], None)


def test_a_forecast_after_a_gap_is_not_joined_across_it() -> None:
    history = [("2025-10", 90.0), ("2025-11", 110.0)]
    split = chart_points(history, ["2026-12", "2027-01"])
    assert split == ChartPoints(history, [], None)


def test_net_cash_flow_keeps_its_signs() -> None:
    history = [("2026-09", -120.5), ("2026-10", 300.0), ("2026-11", -40.0)]
    split = chart_points(history, ["2026-11"])
    assert split == ChartPoints(
        [("2026-09", -120.5), ("2026-10", 300.0)], [("2026-11", -40.0)], ("2026-10", 300.0)
    )


def test_the_join_crosses_a_year_end() -> None:
    history = [("2026-11", 10.0), ("2026-12", 20.0), ("2027-01", 5.0)]
    split = chart_points(history, ["2027-01", "2027-02"])
    assert split == ChartPoints(
        [("2026-11", 10.0), ("2026-12", 20.0)], [("2027-01", 5.0)], ("2026-12", 20.0)
    )


def test_months_imported_after_an_older_forecast_are_all_shown_after_its_start() -> None:
    history = [("2026-09", 1.0), ("2026-10", 2.0), ("2026-11", 3.0), ("2026-12", 4.0)]
    split = chart_points(history, ["2026-10", "2026-11"])
    assert split == ChartPoints(
        [("2026-09", 1.0)], [("2026-10", 2.0), ("2026-11", 3.0), ("2026-12", 4.0)], ("2026-09", 1.0)
    )


def test_only_the_last_24_whole_months_are_drawn() -> None:
    history = [(f"{2024 + i // 12}-{i % 12 + 1:02d}", float(i)) for i in range(30)]
    split = chart_points(history, ["2026-07"])
    assert [m for m, _ in split.actual] == [m for m, _ in history[6:30]]
    assert split.so_far == [] and split.join == ("2026-06", 29.0)


# -- series_points: the forecaster's own months when it sent them, the ledger's otherwise --------


def _rent_series(**extra: Any) -> dict[str, Any]:
    points = [{"month": m, "yhat": 1450.0, "lower": 1450.0, "upper": 1450.0} for m in ("2026-11",)]
    return {"category": "Rent", "kind": "spending", "points": points, **extra}


# Rent due on the 1st, paid on 30 Sep and 30 Oct, by the ledger's calendar months; a lone old
# month before missing statements; a month imported since the forecast was made.
RENT_LEDGER = [
    ("2026-05", 1450.0),
    ("2026-08", 1450.0),
    ("2026-09", 2900.0),
    ("2026-10", 1450.0),
    ("2026-11", 0.0),
    ("2026-12", 1450.0),
]


def test_the_actual_line_is_the_forecasts_own_history_when_it_has_one() -> None:
    series = _rent_series(
        history=[{"month": m, "value": 1450.0} for m in ("2026-08", "2026-09", "2026-10")],
        so_far=[{"month": "2026-11", "value": 1450.0}],
    )
    assert series_points(series, RENT_LEDGER) == ChartPoints(
        # The model's months: not May (before the gap), and 1450 where the ledger says 2900.
        actual=[("2026-08", 1450.0), ("2026-09", 1450.0), ("2026-10", 1450.0)],
        # November as the model counts it (30 Oct's rent is November's; by calendar it is 0);
        # December, which the forecast never saw, from the ledger.
        so_far=[("2026-11", 1450.0), ("2026-12", 1450.0)],
        join=("2026-10", 1450.0),
    )


def test_a_forecast_without_its_history_is_drawn_from_the_ledger() -> None:
    for series in (
        _rent_series(),  # cached before the forecaster sent its history
        _rent_series(history="1450"),  # a damaged cache
        _rent_series(history=[{"month": "2026-10"}]),
        _rent_series(history=[{"month": "2026-10", "value": True}]),
    ):
        assert series_points(series, RENT_LEDGER) == chart_points(RENT_LEDGER, ["2026-11"])
    assert series_points(_rent_series(), RENT_LEDGER) == ChartPoints(
        RENT_LEDGER[:4], RENT_LEDGER[4:], ("2026-10", 1450.0)
    )


def test_with_a_history_but_no_so_far_every_later_ledger_month_is_shown() -> None:
    series = _rent_series(history=[{"month": "2026-10", "value": 1450.0}])
    split = series_points(series, RENT_LEDGER)
    assert split.so_far == [("2026-11", 0.0), ("2026-12", 1450.0)]


def test_only_the_last_24_modelled_months_are_drawn() -> None:
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(34)]  # .. 2026-10
    series = _rent_series(history=[{"month": m, "value": float(i)} for i, m in enumerate(months)])
    split = series_points(series, [])
    assert split.actual == [(m, float(i)) for i, m in enumerate(months)][10:]
    assert split.join == ("2026-10", 33.0) and split.so_far == []


def test_a_month_the_statements_begin_part_way_through_is_a_dot_before_the_line() -> None:
    late = [{"month": "2026-07", "value": 65.0, "from": "2026-07-24"}]
    history = [{"month": m, "value": 1450.0} for m in ("2026-08", "2026-09", "2026-10")]
    series = _rent_series(history=history, partial_start=late)
    assert series_points(series, RENT_LEDGER) == ChartPoints(
        actual=[("2026-08", 1450.0), ("2026-09", 1450.0), ("2026-10", 1450.0)],
        so_far=[("2026-11", 0.0), ("2026-12", 1450.0)],
        join=("2026-10", 1450.0),
        partial_start=("2026-07", 65.0, dt.date(2026, 7, 24)),
    )
    # Not beside the line (only its last months are drawn), or not that shape: no dot.
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(34)]  # 2024-01 .. 2026-10
    long = [{"month": m, "value": 1.0} for m in months]
    old = [{"month": "2023-12", "value": 65.0, "from": "2023-12-24"}]
    assert series_points(_rent_series(history=long, partial_start=old), []).partial_start is None
    for bad in (
        [{"month": "2026-07", "value": 65.0}],
        [{"month": "2026-07", "value": 65.0, "from": "2026-08-24"}],
        [{"month": "2026-07", "value": 65.0, "from": "24/07/2026"}],
        [{"month": "2026-07", "value": "65", "from": "2026-07-24"}],
        late * 2,
        "2026-07",
    ):
        split = series_points(_rent_series(history=history, partial_start=bad), RENT_LEDGER)
        assert split.partial_start is None


# -- _history: every ledger month, by series ----------------------------------------------------


def _txn(date: str, amount: str, category: str | None) -> dict[str, Any]:
    return {"date": date, "amount": amount, "category": category}


def test_history_keeps_the_current_month_and_zero_months_of_a_category() -> None:
    this_month = dt.date.today().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    params = {
        "transactions": [
            _txn(last_month.isoformat(), "-30.00", "Health"),
            _txn(last_month.isoformat(), "2000.00", "Salary"),
            _txn(this_month.isoformat(), "-12.50", "Groceries"),
            _txn(this_month.isoformat(), "-7.25", None),
        ]
    }
    earlier, now = last_month.isoformat()[:7], this_month.isoformat()[:7]
    history = _history(params)
    # The month still running is kept (the old cut by today's date dropped it): the chart splits
    # it off by the forecast's boundary instead.
    assert history[TOTAL] == [(earlier, 30.0), (now, 19.75)]
    assert history[NET] == [(earlier, 1970.0), (now, -19.75)]
    # No Health spending this month is a zero, so it shows as "so far: 0" beside its forecast.
    assert history["Health"] == [(earlier, 30.0), (now, 0.0)]
    assert history["Groceries"] == [(earlier, 0.0), (now, 12.5)]
    assert history["Uncategorized"] == [(earlier, 0.0), (now, 7.25)]  # the forecaster's name
    split = chart_points(history["Health"], [now])
    assert split == ChartPoints([(earlier, 30.0)], [(now, 0.0)], (earlier, 30.0))


def test_history_leaves_out_what_is_dated_after_today() -> None:
    params = {
        "today": "2026-11-21",
        "transactions": [
            _txn("2026-10-05", "-30.00", "Health"),
            _txn("2026-11-21", "-12.50", "Health"),
            _txn("2026-11-22", "-99.00", "Health"),  # scheduled: not spent so far
            _txn("2027-01-02", "-40.00", "Health"),
        ],
    }
    history = _history(params)
    assert history["Health"] == [("2026-10", 30.0), ("2026-11", 12.5)]
    assert history[NET] == [("2026-10", -30.0), ("2026-11", -12.5)]


# -- the real page, offscreen, with a cached forecast while the forecaster is down --------------


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _series(page: Any) -> dict[str, list[tuple[int, float]]]:
    """Each drawn line or dot by name: (months from the forecast's first month, value)."""
    first = str(page.forecast["series"][0]["points"][0]["month"])
    first_index = int(first[:4]) * 12 + int(first[5:7]) - 1
    out = {}
    for s in page.chart_view.chart().series():
        if not hasattr(s, "points"):
            continue  # the bands (QAreaSeries)
        points = []
        for p in s.points():
            day = QDateTime.fromMSecsSinceEpoch(int(p.x())).date()
            points.append((day.year() * 12 + day.month() - 1 - first_index, round(p.y(), 2)))
        out[s.name()] = points
    return out


def _show_cached(
    qtbot: Any, make_window: Any, no_supervisor: Any, db: Path, forecast: dict[str, Any]
) -> Any:
    """The Forecast page showing `forecast` from the cache, the forecaster being down."""
    result_cache.save(db, "forecast", {"forecast": forecast, "currency": "USD"})
    window = make_window(db, hub_factory=no_supervisor)
    window.ctx.hub.start()
    qtbot.waitUntil(
        lambda: "No module" in window.ctx.hub.health("forecaster").reason, timeout=10_000
    )
    window.show_page("Forecast")
    page = window.forecast
    qtbot.waitUntil(
        lambda: not page._busy and "could not answer" in page.status.text(), timeout=20_000
    )
    return page


def _partial_ledger(
    ledger_path: Path, tmp_path: Path
) -> tuple[dt.date, dict[int, int], dict[int, int]]:
    """Eight whole months, then a month imported only up to its 10th, three months before today;
    that month, and the cents out and net per month (offsets from it)."""
    from data.ledger import Ledger

    partial = _month_start(dt.date.today(), 3)
    months = [_month_start(partial, back) for back in range(8, -1, -1)]
    spent: dict[int, int] = {}  # month offset from the partial month -> cents out
    net: dict[int, int] = {}
    rows = []
    for offset, start in enumerate(months, start=-8):
        days = (3, 10) if offset == 0 else (3, 10, 17, 24)
        for day in days:
            cents = -(1000 + 37 * day + 101 * (offset + 8))
            rows.append((start.replace(day=day), f"SHOP {day}", cents))
            spent[offset] = spent.get(offset, 0) - cents
            net[offset] = net.get(offset, 0) + cents
        rows.append((start.replace(day=1), "ACME PAYROLL", 150_000))
        net[offset] += 150_000
    path = tmp_path / "statement.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Description", "Amount"])
        w.writerows([d.isoformat(), desc, f"{c / 100:.2f}"] for d, desc, c in rows)
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(path, "Checking", currency="USD")
    return partial, spent, net


def test_the_page_draws_a_partial_month_as_a_dot_beside_its_forecast(
    qtbot: Any, make_window: Any, no_supervisor: Any, ledger_path: Path, tmp_path: Path
) -> None:
    # A forecast cached before the forecaster sent its history: drawn from the ledger's months.
    partial, spent, net = _partial_ledger(ledger_path, tmp_path)
    assert all("history" not in s for s in _forecast(partial)["series"])
    page = _show_cached(qtbot, make_window, no_supervisor, ledger_path, _forecast(partial))
    assert page.choice.currentText() == TOTAL
    drawn = _series(page)
    so_far = f"{formatting.month(partial)} so far: {formatting.money(spent[0], 'USD', cents=False)}"
    assert set(drawn) == {"Actual", "Forecast", so_far}
    # Actual: exactly the eight whole months before the forecast's first month.
    assert drawn["Actual"] == [(o, spent[o] / 100) for o in range(-8, 0)]
    # The partial month's figure sits at the forecast's first month, beside its forecast.
    assert drawn[so_far] == [(0, spent[0] / 100)]
    # The Forecast line starts from the last whole month, not from the partial one.
    assert drawn["Forecast"] == [(-1, spent[-1] / 100), (0, 812.4), (1, 790.0)]
    # The table's figures are for the forecast's first month, and its heading says which
    # (it said "Next month" over a month that had already begun, or ended).
    assert page.table.horizontalHeaderItem(1).text() == formatting.month(partial)

    page.choice.setCurrentText(NET)
    drawn = _series(page)
    so_far = f"{formatting.month(partial)} so far: {formatting.money(net[0], 'USD', cents=False)}"
    assert set(drawn) == {"Actual", "Forecast", so_far}
    assert drawn["Actual"] == [(o, net[o] / 100) for o in range(-8, 0)]
    assert drawn[so_far] == [(0, net[0] / 100)]
    assert drawn["Forecast"] == [(-1, net[-1] / 100), (0, 300.0)]


def test_a_cached_forecast_after_a_gap_is_not_joined_to_old_history(
    qtbot: Any, make_window: Any, no_supervisor: Any, filled_ledger: Path
) -> None:
    # filled_ledger runs from Jan 2024 to Nov 2025; the cached forecast starts in Dec 2026.
    page = _show_cached(
        qtbot, make_window, no_supervisor, filled_ledger, _forecast(dt.date(2026, 12, 1))
    )
    drawn = _series(page)
    assert set(drawn) == {"Actual", "Forecast"}
    assert drawn["Forecast"] == [(0, 812.4), (1, 790.0)]
    assert len(drawn["Actual"]) == 23
    assert drawn["Actual"][-1][0] == -13  # Nov 2025, with nothing drawn across the gap


def _with_history(forecast: dict[str, Any], partial: dict[int, float]) -> dict[str, Any]:
    """`forecast` as the forecaster now sends it: the spending series with the months it was
    fitted on (offsets from its first month, figures unlike the ledger's) and the first month so
    far; the net series with its history only."""
    first = str(forecast["series"][0]["points"][0]["month"])
    start = dt.date(int(first[:4]), int(first[5:7]), 1)

    def month(offset: int) -> str:
        return _month_start(start, -offset).isoformat()[:7]

    spending, net = forecast["series"]
    spending["history"] = [{"month": month(o), "value": v} for o, v in partial.items()]
    spending["so_far"] = [{"month": month(0), "value": 1234.5}]
    net["history"] = [{"month": month(o), "value": -v} for o, v in partial.items()]
    return forecast


def test_the_page_draws_the_forecasts_own_history_when_it_has_one(
    qtbot: Any, make_window: Any, no_supervisor: Any, ledger_path: Path, tmp_path: Path
) -> None:
    partial, spent, net = _partial_ledger(ledger_path, tmp_path)
    # Six months the model was fitted on (not the ledger's eight), none equal to the ledger's.
    modelled = {-6: 501.0, -5: 502.5, -4: 480.0, -3: 0.0, -2: 520.25, -1: 610.0}
    assert all(spent[o] / 100 != v for o, v in modelled.items())
    forecast = _with_history(_forecast(partial), modelled)
    page = _show_cached(qtbot, make_window, no_supervisor, ledger_path, forecast)
    drawn = _series(page)
    so_far = f"{formatting.month(partial)} so far: {formatting.money(123450, 'USD', cents=False)}"
    assert set(drawn) == {"Actual", "Forecast", so_far}
    assert drawn["Actual"] == list(modelled.items())
    assert drawn[so_far] == [(0, 1234.5)]  # the forecast's own figure for its first month
    assert drawn["Forecast"] == [(-1, 610.0), (0, 812.4), (1, 790.0)]

    # The net series has its history but no month so far: the partial month is the ledger's.
    page.choice.setCurrentText(NET)
    drawn = _series(page)
    so_far = f"{formatting.month(partial)} so far: {formatting.money(net[0], 'USD', cents=False)}"
    assert set(drawn) == {"Actual", "Forecast", so_far}
    assert drawn["Actual"] == [(o, -v) for o, v in modelled.items()]
    assert drawn[so_far] == [(0, net[0] / 100)]
    assert drawn["Forecast"] == [(-1, -610.0), (0, 300.0)]


def test_the_page_draws_a_partial_first_month_as_a_dot_not_a_dip(
    qtbot: Any, make_window: Any, no_supervisor: Any, ledger_path: Path, tmp_path: Path
) -> None:
    partial, _, _ = _partial_ledger(ledger_path, tmp_path)
    modelled = {-6: 501.0, -5: 502.5, -4: 480.0, -3: 0.0, -2: 520.25, -1: 610.0}
    forecast = _with_history(_forecast(partial), modelled)
    # The forecaster found the statements beginning on the 24th of the month before the six.
    begun = _month_start(partial, 7).replace(day=24)
    spending, _ = forecast["series"]
    spending["partial_start"] = [
        {"month": begun.isoformat()[:7], "value": 65.2, "from": begun.isoformat()}
    ]
    page = _show_cached(qtbot, make_window, no_supervisor, ledger_path, forecast)
    drawn = _series(page)
    when = formatting.month(begun.replace(day=1))
    figure = formatting.money(6520, "USD", cents=False)
    part = f"Part of {when} (from {formatting.day(begun)}): {figure}"
    so_far = f"{formatting.month(partial)} so far: {formatting.money(123450, 'USD', cents=False)}"
    assert set(drawn) == {"Actual", "Forecast", so_far, part}
    assert drawn[part] == [(-7, 65.2)]
    assert drawn["Actual"] == list(modelled.items())  # the line starts after it
    # The axis leaves half a month before the dot (drawn mid-month), so it is not cut in half.
    [x] = page.chart_view.chart().axes(Qt.Orientation.Horizontal)
    assert x.min().date().toPython() == begun.replace(day=1)


def test_a_single_whole_month_is_drawn_as_a_point_with_no_more_ticks_than_months(
    qtbot: Any, make_window: Any, no_supervisor: Any, ledger_path: Path, tmp_path: Path
) -> None:
    partial, _, _ = _partial_ledger(ledger_path, tmp_path)
    forecast = _with_history(_forecast(partial), {-1: 610.0})
    page = _show_cached(qtbot, make_window, no_supervisor, ledger_path, forecast)
    chart = page.chart_view.chart()
    actual = next(s for s in chart.series() if s.name() == "Actual")
    # A line through one month draws nothing: its point is shown.
    assert actual.pointsVisible() and _series(page)["Actual"] == [(-1, 610.0)]
    [x] = chart.axes(Qt.Orientation.Horizontal)
    # From half a month before that point to the last forecast month: two and a half months,
    # three ticks (eight labelled each month two or three times).
    assert x.min().date().toPython() == _month_start(partial, 1)
    assert x.tickCount() == 3
    page.choice.setCurrentText(NET)  # forecast one month ahead: a month and a half, two ticks
    [x] = page.chart_view.chart().axes(Qt.Orientation.Horizontal)
    assert x.tickCount() == 2
