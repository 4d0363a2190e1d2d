"""The forecaster's pure parts: reading transactions into months, the backtest, bands, the cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from sidecars.forecaster.backtest import (
    BACKTEST_ORIGINS,
    CHALLENGER_MARGIN,
    MIN_MONTHS,
    choose,
    conformal,
    damp_outliers,
    forecast_series,
    sign_test,
    smoothed_level,
)
from sidecars.forecaster.engine import Forecaster
from sidecars.forecaster.monthly import (
    UNCATEGORIZED,
    InputError,
    build_history,
    due_months,
    month_index,
    parse_transactions,
)

TODAY = dt.date(2026, 11, 21)


def txn(day: str, amount: str, category: str | None = "Food") -> dict[str, Any]:
    return {"date": day, "amount": amount, "category": category}


# --- reading transactions into months -----------------------------------------------------------


def test_months_hold_spending_as_positive_numbers_and_income_only_in_net() -> None:
    txns = parse_transactions(
        [
            txn("2026-09-03", "-10.50"),
            txn("2026-09-20", "-4.50"),
            txn("2026-09-25", "2000.00", "Salary"),
            txn("2026-10-02", "-30.00", None),
            txn("2026-10-05", "-20.00"),
            txn("2026-10-06", "5.00"),  # a refund lowers the month's food spending
            txn("2026-10-28", "2000.00", "Salary"),
        ]
    )
    history = build_history(txns, TODAY)
    assert history.start == month_index(dt.date(2026, 9, 1))
    assert history.spending.keys() == {"Food", UNCATEGORIZED}
    assert history.spending["Food"].tolist() == [15.0, 15.0]
    assert history.spending[UNCATEGORIZED].tolist() == [0.0, 30.0]
    assert history.total.tolist() == [15.0, 45.0]
    assert history.net.tolist() == [1985.0, 1955.0]


def test_the_running_month_and_future_dates_are_not_history() -> None:
    txns = parse_transactions(
        [txn("2026-10-02", "-1"), txn("2026-11-02", "-99"), txn("2027-01-01", "-5")]
    )
    history = build_history(txns, TODAY)
    assert history.length == 1 and history.total.tolist() == [1.0]
    assert any("dated after 2026-11-21" in note for note in history.notes)


def test_an_incomplete_last_month_is_left_out_and_noted() -> None:
    txns = parse_transactions([txn("2020-01-03", "-1"), txn("2020-02-10", "-2")])
    history = build_history(txns, TODAY)
    assert history.length == 1
    assert any("2020-02 looks incomplete" in note for note in history.notes)


def test_history_starts_after_a_stretch_without_any_transaction() -> None:
    txns = parse_transactions(
        [txn("2025-01-10", "-1"), txn("2025-05-02", "-2"), txn("2025-06-30", "-3")]
    )
    history = build_history(txns, TODAY)
    assert history.start == month_index(dt.date(2025, 5, 1))
    assert history.total.tolist() == [2.0, 3.0]
    assert any("missing statements" in note for note in history.notes)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("not a list", "must be a list"),
        ([["2026-01-01", "-1"]], "transactions[0]"),
        ([txn("2026-13-01", "-1")], "transactions[0].date"),
        ([txn("yesterday", "-1")], "ISO date"),
        ([{"date": "2026-01-01", "amount": -1.5, "category": None}], "decimal amount string"),
        ([txn("2026-01-01", "12,50")], "transactions[0].amount"),
        ([txn("2026-01-01", "-1"), txn("2026-01-02", "NaN")], "transactions[1].amount"),
        ([txn("2026-01-01", "1e999999999")], "amount"),
        ([{"date": "2026-01-01", "amount": "-1", "category": 7}], "category"),
        ([{"date": None, "amount": "-1"}], "date"),
        (
            [txn("2026-01-01", "-1") | {"currency": c} for c in ("GBP", "gbp", "EUR")],
            "transactions[2].currency: the transactions are in more than one currency (EUR, GBP)",
        ),
    ],
)
def test_malformed_transactions_are_refused_naming_the_row(raw: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_transactions(raw)
    assert fragment in str(info.value)


# --- choosing and calibrating -------------------------------------------------------------------


def test_conformal_rank_on_hand_computed_errors() -> None:
    errors = [1.0, -2.0, 3.0, -4.0, 5.0, 6.0, -7.0, 8.0, 9.0]
    assert conformal(errors, 0.8) == 8.0  # rank ceil(10 * 0.8) = 8 of the sorted |errors|
    assert conformal(errors, 0.95) is None  # rank 10 > 9 errors: not enough for 95%
    assert conformal([], 0.8) is None


def test_choose_keeps_the_default_unless_clearly_beaten_on_enough_months() -> None:
    n = BACKTEST_ORIGINS
    default = [10.0] * n
    # Clearly better (under CHALLENGER_MARGIN of the default's error) and closer in every month.
    assert choose({"smoothed_level": default, "mean_3": [7.0] * n}, "smoothed_level") == "mean_3"
    # Better, but not by the margin.
    just_better = [10.0 * CHALLENGER_MARGIN + 0.1] * n
    assert choose({"smoothed_level": default, "prophet": just_better}, "smoothed_level") == (
        "smoothed_level"
    )
    # The best of several clear winners.
    assert (
        choose(
            {"smoothed_level": default, "prophet": [6.0] * n, "mean_3": [7.0] * n},
            "smoothed_level",
        )
        == "prophet"
    )
    # A lead built on one month, while further off in most months, is not evidence; nor is being
    # closer in a bare majority of the months (7 of 12 happens by chance a third of the time).
    bare = [5.0] * 7 + [12.0] * (n - 7)
    assert choose({"smoothed_level": default, "mean_12": bare}, "smoothed_level") == (
        "smoothed_level"
    )
    one_spike = [12.0] * (n - 1) + [0.0]
    spiky_default = [10.0] * (n - 1) + [200.0]
    assert choose(
        {"smoothed_level": spiky_default, "seasonal_naive": one_spike}, "smoothed_level"
    ) == ("smoothed_level")
    # Too few origins: the default stays whatever the scores.
    few = n - 1
    assert choose({"smoothed_level": [10.0] * few, "mean_3": [1.0] * few}, "smoothed_level") == (
        "smoothed_level"
    )


def test_sign_test_on_hand_computed_counts() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(3, 0) == 1 / 8
    assert sign_test(10, 2) == (66 + 12 + 1) / 4096  # C(12,10) + C(12,11) + C(12,12)


def test_outlier_months_are_damped_before_smoothing() -> None:
    y = np.array([100.0, 110, 90, 105, 95, 100, 5000, 100, 98, 102])
    damped = damp_outliers(y)
    assert damped[6] < 200 and np.array_equal(np.delete(damped, 6), np.delete(y, 6))
    level, alpha = smoothed_level(y)
    assert 90 <= level <= 120 and 0 < alpha <= 1
    # Mostly equal months: nothing counts as an outlier (no spread to measure one by).
    flat = np.array([50.0] * 8 + [400.0])
    assert np.array_equal(damp_outliers(flat), flat)


def test_a_constant_series_is_forecast_exactly_with_no_width() -> None:
    result = forecast_series(np.full(30, 2400.0), 24000, 3, nonnegative=True)
    assert [p.yhat for p in result.points] == [2400.0] * 3
    assert all(p.lower == p.upper == 2400.0 for p in result.points)
    assert result.backtest is not None and result.backtest["chosen_mae"] == 0.0


def test_a_clean_yearly_pattern_picks_seasonal_naive() -> None:
    pattern = np.array([50, 60, 80, 100, 120, 200, 220, 150, 90, 70, 60, 300], dtype=float)
    result = forecast_series(np.tile(pattern, 3), 24000, 12, nonnegative=True)
    assert result.method == "seasonal_naive"
    assert [p.yhat for p in result.points] == pattern.tolist()
    assert result.backtest is not None and result.backtest["skill_vs_naive"] == 0.0


def test_bands_hold_the_point_and_widen_outward() -> None:
    rng = np.random.default_rng(7)
    y = np.maximum(300 + rng.normal(0, 80, 40), 0)
    result = forecast_series(y, 24000, 6, nonnegative=True)
    for p in result.points:
        assert 0 <= p.lower95 <= p.lower <= p.yhat <= p.upper <= p.upper95
    widths = [p.upper - p.lower for p in result.points]
    assert widths == sorted(widths) and widths[0] > 0


def test_candidates_too_long_for_the_history_are_reported_as_not_scored() -> None:
    y = np.array([100.0, 120, 90, 110, 105, 95, 130, 100, 115, 98, 102, 108, 111, 99, 104, 96])
    result = forecast_series(y, 24000, 1, nonnegative=True)
    assert result.backtest is not None
    assert set(result.backtest["mae"]) == {"smoothed_level", "mean_3"}  # 16 - 12 origins = 4
    assert result.backtest["not_scored"] == {
        "seasonal_naive": f"needs {13 + BACKTEST_ORIGINS} months of history",
        "mean_12": f"needs {12 + BACKTEST_ORIGINS} months of history",
    }


def test_net_series_may_go_negative() -> None:
    y = np.array([-500.0, -450, -520, -480, -510, -530, -470, -490])
    result = forecast_series(y, 24000, 1, nonnegative=False)
    assert result.points[0].yhat < 0 and result.points[0].lower < result.points[0].yhat


@pytest.mark.parametrize("n", [1, 2, MIN_MONTHS - 1])
def test_short_histories_get_the_honest_fallback(n: int) -> None:
    result = forecast_series(np.full(n, 100.0), 24000, 2, nonnegative=True)
    assert result.method == "short_history_mean"
    assert result.backtest is None
    assert result.note is not None and f"only {n} month(s)" in result.note
    assert (
        result.points[0].yhat == 100.0 and result.points[0].lower < 100.0 < result.points[0].upper
    )


def test_the_80_percent_band_covers_about_80_percent_out_of_sample() -> None:
    # One-step forecasts over 60 rolling origins of a noisy level with a slow drift.
    rng = np.random.default_rng(11)
    y = 500 + np.cumsum(rng.normal(0, 5, 100)) + rng.normal(0, 60, 100)
    inside = []
    for origin in range(40, 100):
        point = forecast_series(y[:origin], 24000, 1, nonnegative=True).points[0]
        inside.append(point.lower <= y[origin] <= point.upper)
    assert 0.65 <= float(np.mean(inside)) <= 0.95


# --- the request as a whole ----------------------------------------------------------------------


def monthly_txns(months: int, start: dt.date = dt.date(2023, 1, 1)) -> list[dict[str, Any]]:
    rows = []
    for i in range(months):
        year, month = start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1
        rows.append(txn(f"{year:04d}-{month:02d}-03", f"-{100 + (i % 4) * 10}.00", "Food"))
        rows.append(txn(f"{year:04d}-{month:02d}-28", "1500.00", "Salary"))
    return rows


def test_forecast_answers_total_net_and_each_category_and_caches_by_input() -> None:
    forecaster = Forecaster()
    request = {
        "transactions": monthly_txns(14),
        "horizon_months": 2,
        "today": "2026-11-21",
        "use_prophet": False,
    }
    first = forecaster.forecast(request)
    kinds = [(s["category"], s["kind"]) for s in first["series"]]
    assert kinds == [(None, "spending"), (None, "net"), ("Food", "spending")]
    assert all(len(s["points"]) == 2 for s in first["series"])
    assert first["series"][0]["points"][0]["month"] == "2024-03"
    assert first["history"] == {"months": 14, "first_month": "2023-01", "last_month": "2024-02"}
    again = forecaster.forecast(dict(request))
    assert again["cached"] is True and again["key"] == first["key"]
    changed = forecaster.forecast({**request, "horizon_months": 3})
    assert changed["cached"] is False


@pytest.mark.parametrize("horizon", [0, 25, "3", 2.5, True])
def test_bad_horizon_is_refused(horizon: object) -> None:
    with pytest.raises(InputError):
        Forecaster().forecast({"transactions": [], "horizon_months": horizon})


def test_uncategorized_money_out_is_spending_even_when_pay_is_uncategorized_too() -> None:
    txns = parse_transactions(
        [txn("2026-10-01", "3000.00", None), txn("2026-10-30", "-40.00", None)]
    )
    history = build_history(txns, TODAY)
    assert history.spending[UNCATEGORIZED].tolist() == [40.0]
    assert history.net.tolist() == [2960.0]


@pytest.mark.parametrize("n", [MIN_MONTHS, MIN_MONTHS + 1, 8])
def test_a_few_lucky_backtest_months_do_not_give_a_zero_width_band(n: int) -> None:
    y = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])[:n]
    y[0] = 160.0  # spread in the history, none in the months the backtest scores
    result = forecast_series(y, 24000, 1, nonnegative=True)
    point = result.points[0]
    assert point.upper - point.lower > 0


def test_a_spelled_out_uncategorized_is_read_as_no_category() -> None:
    txns = parse_transactions(
        [
            txn("2026-10-01", "3000.00", "Uncategorized"),
            txn("2026-10-30", "-40.00", "uncategorized"),
        ]
    )
    assert build_history(txns, TODAY).spending[UNCATEGORIZED].tolist() == [40.0]


# --- fixed payments around the turn of the month --------------------------------------------------

# Rent due on the 1st, paid on the last working day before it when the 1st is a weekend.
EARLY = {"2025-03": "2025-02-27", "2025-06": "2025-05-30", "2025-11": "2025-10-31"}
EARLY |= {"2026-02": "2026-01-30", "2026-08": "2026-07-31"}


def rent_ledger() -> list[dict[str, Any]]:
    rows = []
    for i in range(22):  # 2025-01 .. 2026-10
        month = f"{2025 + i // 12:04d}-{i % 12 + 1:02d}"
        rows.append(txn(EARLY.get(month, f"{month}-01"), "-1450.00", "Rent"))
        rows.append(txn(f"{month}-12", f"-{200 + (i * 37) % 90}.00", "Food"))
        rows.append(txn(f"{month}-25", "3000.00", "Salary"))
    return rows


def test_rent_paid_a_few_days_early_counts_in_the_month_it_is_due() -> None:
    history = build_history(parse_transactions(rent_ledger()), TODAY)
    assert history.length == 22
    assert history.spending["Rent"].tolist() == [1450.0] * 22  # by calendar: 0s and 2900s
    # Net moves with it: every month is salary minus rent minus food.
    food = history.spending["Food"]
    assert np.allclose(history.net, 3000.0 - 1450.0 - food)


def test_a_first_rent_paid_before_its_month_does_not_open_the_history_with_nothing() -> None:
    rows = [r for r in rent_ledger() if r["date"] >= "2025-02-27"]  # starts with March's rent
    history = build_history(parse_transactions(rows), TODAY)
    assert history.start == month_index(dt.date(2025, 3, 1))
    assert history.spending["Rent"].tolist() == [1450.0] * 20


def test_the_rent_band_is_not_zero_to_double() -> None:
    request = {"transactions": rent_ledger(), "today": "2026-11-21", "use_prophet": False}
    series = Forecaster().forecast(request)["series"]
    rent = next(s for s in series if s["category"] == "Rent")
    for point in rent["points"]:
        assert point["lower95"] == point["yhat"] == point["upper95"] == 1450.0


def test_payments_that_do_not_straddle_a_first_keep_their_calendar_month() -> None:
    rows = []
    for i in range(8):  # 2025-01 .. 2025-08
        month = f"2025-{i + 1:02d}"
        rows.append(txn(f"{month}-28", "-50.00", "Gym"))  # always just before the 1st
        # The same amount twice around one 1st (the 30th and the 2nd): not one fixed payment.
        rows.append(txn(f"{month}-02", "-9.99", "Music"))
        rows.append(txn(f"{month}-{28 if i == 1 else 30}", "-9.99", "Music"))
    history = build_history(parse_transactions(rows), TODAY)
    assert due_months(parse_transactions(rows)) == {}
    assert history.spending["Gym"].tolist() == [50.0] * 8
    assert history.spending["Music"].tolist() == [19.98] * 8


# --- the history each series reports: the months the model was fitted on -------------------------


def modelled_ledger() -> list[dict[str, Any]]:
    """Rent due on the 1st (three times paid a day or two early), food with one refund, salary;
    a stretch of two empty months before March, a single empty June, a November imported only to
    its 10th and a payment scheduled after today (2026-12-07)."""
    rows = [txn("2025-12-10", "-50.00")]  # before the gap: not history
    rent = ["03-02", "03-30", "05-01", "07-01", "07-31", "09-01", "09-30", "10-30"]
    rows += [txn(f"2026-{day}", "-1450.00", "Rent") for day in rent]
    for month in (3, 4, 5, 7, 8, 9, 10):  # June has no transaction at all
        rows.append(txn(f"2026-{month:02d}-12", "-100.00"))
        rows.append(txn(f"2026-{month:02d}-25", "2000.00", "Salary"))
    rows.append(txn("2026-09-20", "30.00"))  # a food refund
    rows.append(txn("2026-11-10", "-20.00"))
    rows.append(txn("2026-12-20", "-999.00"))  # scheduled, not spent yet
    return rows


def _by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"Net" if s["kind"] == "net" else s["category"] or "Total": s for s in result["series"]}


def _pairs(months: list[dict[str, Any]]) -> list[tuple[str, float]]:
    return [(m["month"], m["value"]) for m in months]


MODELLED = [f"2026-{m:02d}" for m in range(3, 11)]  # March .. October


def test_each_series_reports_the_months_it_was_fitted_on() -> None:
    request = {"transactions": modelled_ledger(), "today": "2026-12-07", "use_prophet": False}
    series = _by_name(Forecaster().forecast(request))
    assert set(series) == {"Total", "Net", "Rent", "Food"}
    # Rent by the month it is due: 30 Mar is April's, 31 Jul August's, 30 Sep October's (by
    # calendar month: 2900, 0, 1450, 0, 2900, 0, 2900, 1450). June, with no transaction at all,
    # is a month of nothing (one empty month is not a gap); December 2025 and the two empty
    # months after it are not history; November, imported only to its 10th, is not either.
    assert _pairs(series["Rent"]["history"]) == list(
        zip(MODELLED, [1450.0, 1450.0, 1450.0, 0.0, 1450.0, 1450.0, 1450.0, 1450.0], strict=True)
    )
    # The 30.00 refund nets September's food to 70.
    food = [100.0, 100.0, 100.0, 0.0, 100.0, 100.0, 70.0, 100.0]
    assert _pairs(series["Food"]["history"]) == list(zip(MODELLED, food, strict=True))
    total = [1550.0, 1550.0, 1550.0, 0.0, 1550.0, 1550.0, 1520.0, 1550.0]
    assert _pairs(series["Total"]["history"]) == list(zip(MODELLED, total, strict=True))
    # Net keeps its sign, as its forecast points do.
    net = [450.0, 450.0, 450.0, 0.0, 450.0, 450.0, 480.0, 450.0]
    assert _pairs(series["Net"]["history"]) == list(zip(MODELLED, net, strict=True))
    # November is forecast, and what it holds so far is counted the same way: 30 Oct's rent is
    # November's; the payment scheduled for 20 December is in no month.
    for s in series.values():
        assert s["points"][0]["month"] == "2026-11"
    assert _pairs(series["Rent"]["so_far"]) == [("2026-11", 1450.0)]
    assert _pairs(series["Food"]["so_far"]) == [("2026-11", 20.0)]
    assert _pairs(series["Total"]["so_far"]) == [("2026-11", 1470.0)]
    assert _pairs(series["Net"]["so_far"]) == [("2026-11", -1470.0)]


def test_the_reported_history_is_bounded_to_the_last_36_months() -> None:
    request = {"transactions": monthly_txns(40), "today": "2026-11-21", "use_prophet": False}
    result = Forecaster().forecast(request)
    food = _by_name(result)["Food"]
    assert result["history"]["months"] == 40  # all 40 were modelled
    # monthly_txns spends 100 + (i % 4) * 10 in its month i, from January 2023.
    expected = [(f"{2023 + i // 12}-{i % 12 + 1:02d}", 100.0 + (i % 4) * 10) for i in range(4, 40)]
    assert _pairs(food["history"]) == expected
    assert food["so_far"] == []  # April 2026 ended with a transaction on the 28th: whole


def test_with_nothing_whole_yet_there_is_no_history_and_nothing_so_far() -> None:
    request = {
        "transactions": [txn("2026-11-03", "-12.50"), txn("2026-11-09", "-7.50", None)],
        "today": "2026-11-21",
    }
    series = Forecaster().forecast(request)["series"]
    assert [(s["kind"], s["history"], s["so_far"], s["points"]) for s in series] == [
        ("spending", [], [], []),
        ("net", [], [], []),
    ]


# --- a first month the statements begin part-way through ----------------------------------------


def late_start_ledger(first_day: int = 24) -> list[dict[str, Any]]:
    """Statements from 2026-03-{first_day}: a week of March's food and its whole salary (paid on
    the 27th), then April to October whole (rent due on the 1st, April's and July's paid early),
    and November so far up to today (2026-11-05)."""
    rows = [
        txn(f"2026-03-{first_day:02d}", "-40.00"),
        txn("2026-03-26", "-25.00"),
        txn("2026-03-27", "2000.00", "Salary"),
    ]
    rent = ["03-30", "05-01", "06-01", "06-30", "08-03", "09-01", "10-01", "11-02"]
    rows += [txn(f"2026-{day}", "-1450.00", "Rent") for day in rent]
    for month in range(4, 11):
        rows.append(txn(f"2026-{month:02d}-12", "-100.00"))
        rows.append(txn(f"2026-{month:02d}-27", "2000.00", "Salary"))
    return rows


LATE_TODAY = dt.date(2026, 11, 5)


def test_a_first_month_begun_part_way_through_is_not_history() -> None:
    history = build_history(parse_transactions(late_start_ledger()), LATE_TODAY)
    # By calendar month March reads 65 spent and 1,935 net: a false dip fitted as a month.
    assert history.start == month_index(dt.date(2026, 4, 1))
    assert history.total.tolist() == [1550.0] * 7
    assert history.net.tolist() == [450.0] * 7
    assert history.spending["Rent"].tolist() == [1450.0] * 7  # 30 Mar's rent is April's
    assert history.notes == (
        "2026-03 looks incomplete (its first transaction is on day 24) and was left out of the"
        " history",
    )
    # March is kept aside, counted the same way, to be shown as part of a month.
    partial = history.partial_start
    assert partial is not None and partial.start == month_index(dt.date(2026, 3, 1))
    assert partial.total.tolist() == [65.0] and partial.net.tolist() == [1935.0]
    assert partial.spending["Food"].tolist() == [65.0]
    assert partial.spending["Rent"].tolist() == [0.0]
    assert history.covered_from == dt.date(2026, 3, 24)


@pytest.mark.parametrize(("first_day", "whole"), [(1, True), (3, True), (4, True), (5, False)])
def test_a_statement_starting_a_few_days_into_the_month_still_counts_it_whole(
    first_day: int, whole: bool
) -> None:
    # (no rent: an April rent paid before the statements is the next test's matter)
    rows = [r for r in late_start_ledger() if r["date"] >= "2026-04-06" and r["category"] != "Rent"]
    rows.append(txn(f"2026-04-{first_day:02d}", "-7.00"))  # the statements' first transaction
    history = build_history(parse_transactions(rows), LATE_TODAY)
    april = month_index(dt.date(2026, 4, 1))
    assert history.start == (april if whole else april + 1)
    assert (history.partial_start is None) is whole
    assert any("2026-04 looks incomplete" in note for note in history.notes) is not whole


def test_a_first_month_without_its_rent_paid_before_the_statements_is_not_whole() -> None:
    # Statements from 1 April: April's rent was paid on 30 March, before them (by calendar
    # April reads 108 spent beside 1,550 every other month).
    rows = [txn("2026-04-01", "-8.00")]
    rows += [r for r in late_start_ledger() if r["date"] >= "2026-04-01"]
    history = build_history(parse_transactions(rows), LATE_TODAY)
    assert history.start == month_index(dt.date(2026, 5, 1))
    assert history.total.tolist() == [1550.0] * 6
    assert history.notes == (
        "2026-04 looks incomplete (its Rent payment of 1,450.00, due around the 1st, is not in"
        " it: it was probably paid before the first transaction, on 2026-04-01) and was left"
        " out of the history",
    )
    partial = history.partial_start
    assert partial is not None and partial.total.tolist() == [108.0]
    # Statements that reach back to 27 March would have shown an early rent: April is whole,
    # rent or no rent.
    rows.append(txn("2026-03-27", "-5.00"))
    history = build_history(parse_transactions(rows), LATE_TODAY)
    assert history.start == month_index(dt.date(2026, 3, 1)) + 1 and history.length == 7
    assert history.spending["Rent"].tolist() == [0.0] + [1450.0] * 6


def test_the_month_after_missing_statements_is_judged_the_same_way() -> None:
    rows = [txn("2025-11-02", "-50.00"), txn("2025-11-28", "-50.00")]  # then nothing until May
    rows += [r for r in late_start_ledger() if r["date"] >= "2026-03-24"]
    history = build_history(parse_transactions(rows), LATE_TODAY)
    assert history.start == month_index(dt.date(2026, 4, 1))
    assert [n.split(" (")[0] for n in history.notes] == [
        "no transactions at all from 2025-12 to 2026-02",
        "2026-03 looks incomplete",
    ]


def test_a_partial_first_month_that_leaves_no_whole_month_leaves_nothing_to_forecast() -> None:
    request = {
        "transactions": [txn("2026-10-24", "-12.50"), txn("2026-11-03", "-7.50")],
        "today": "2026-11-05",
    }
    result = Forecaster().forecast(request)
    assert result["history"] == {"months": 0, "first_month": None, "last_month": None}
    assert result["notes"] == [
        "2026-10 looks incomplete (its first transaction is on day 24) and was left out of the"
        " history",
        "no complete month of history yet",
    ]
    assert [
        (s["history"], s["so_far"], s["partial_start"], s["points"]) for s in result["series"]
    ] == [
        ([], [], [], []),
        ([], [], [], []),
    ]


def test_the_forecast_is_fitted_on_whole_months_and_reports_the_partial_one() -> None:
    request = {"transactions": late_start_ledger(), "today": "2026-11-05", "use_prophet": False}
    result = Forecaster().forecast(request)
    assert result["history"] == {"months": 7, "first_month": "2026-04", "last_month": "2026-10"}
    series = _by_name(result)
    # Seven equal months: the forecast is that month with no width (fitting March's 65 spent and
    # 1,935 net widened the spending band to 836-2,264 and took net's low end to -264).
    bands = ("yhat", "lower", "upper", "lower95", "upper95")
    for name, value in (("Total", 1550.0), ("Net", 450.0)):
        assert [[p[k] for k in bands] for p in series[name]["points"]] == [[value] * 5] * 3
    assert series["Total"]["partial_start"] == [
        {"month": "2026-03", "value": 65.0, "from": "2026-03-24"}
    ]
    assert series["Net"]["partial_start"] == [
        {"month": "2026-03", "value": 1935.0, "from": "2026-03-24"}
    ]
    assert series["Rent"]["partial_start"] == [
        {"month": "2026-03", "value": 0.0, "from": "2026-03-24"}
    ]
    assert _pairs(series["Total"]["so_far"]) == [("2026-11", 1450.0)]
