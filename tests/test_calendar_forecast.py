"""The forecaster on the calendar's awkward days: which months are history and which month the
forecast starts at, for each `today` and each newest row, worked out by hand. Runs the engine
the sidecar serves (without Prophet, whose fits these tests do not need)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sidecars.forecaster.engine import Forecaster


def row(day: dt.date | str, amount: str, category: str | None = "Food") -> dict[str, Any]:
    when = day if isinstance(day, str) else day.isoformat()
    return {"date": when, "amount": amount, "category": category}


def daily(first: dt.date, last: dt.date, amount: str = "-3.00") -> list[dict[str, Any]]:
    return [row(first + dt.timedelta(days=i), amount) for i in range((last - first).days + 1)]


def forecast(rows: list[dict[str, Any]], today: str) -> dict[str, Any]:
    params = {"transactions": rows, "today": today, "use_prophet": False, "horizon_months": 2}
    result: dict[str, Any] = Forecaster().forecast(params)
    return result


def total(result: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in result["series"] if s["category"] is None and s["kind"] == "spending")


@pytest.mark.parametrize(
    ("newest", "today", "months", "last", "first"),
    [
        # daily rows from 1 January 2023; the running month is never history
        ("2024-12-31", "2024-12-31", 23, "2024-11", "2024-12"),
        ("2024-12-31", "2025-01-01", 24, "2024-12", "2025-01"),
        ("2025-01-01", "2025-01-01", 24, "2024-12", "2025-01"),
        ("2025-01-31", "2025-01-31", 24, "2024-12", "2025-01"),
        ("2024-02-29", "2024-02-29", 13, "2024-01", "2024-02"),
        ("2024-02-29", "2024-03-01", 14, "2024-02", "2024-03"),
        ("2025-02-28", "2025-03-01", 26, "2025-02", "2025-03"),
        ("2025-03-01", "2025-03-01", 26, "2025-02", "2025-03"),
        ("2025-03-31", "2025-04-01", 27, "2025-03", "2025-04"),
        ("2025-04-30", "2025-04-30", 27, "2025-03", "2025-04"),
        ("2024-12-01", "2024-12-01", 23, "2024-11", "2024-12"),
        # A last month is whole when its last row is within 7 days of its end: the 22nd of a
        # 29-day February is not (left out and forecast), of a 28-day one it is.
        ("2024-02-22", "2024-03-01", 13, "2024-01", "2024-02"),
        ("2025-02-22", "2025-03-01", 26, "2025-02", "2025-03"),
        ("2024-11-23", "2024-12-01", 22, "2024-10", "2024-11"),
        ("2024-11-24", "2024-12-01", 23, "2024-11", "2024-12"),
    ],
)
def test_history_and_first_forecast_month(
    newest: str, today: str, months: int, last: str, first: str
) -> None:
    result = forecast(daily(dt.date(2023, 1, 1), dt.date.fromisoformat(newest)), today)
    assert result["history"] == {"months": months, "first_month": "2023-01", "last_month": last}
    assert result["first_month"] == first
    series = total(result)
    assert series["points"][0]["month"] == first
    assert series["history"][-1]["month"] == last
    # January 2023 had 31 days of 3.00, February 2024 29
    values = {m["month"]: m["value"] for m in series["history"]}
    assert values["2023-01"] == 93.0
    assert values.get("2024-02", 87.0) == 87.0


@pytest.mark.parametrize(
    ("days", "today", "first"),
    [
        # one day's rows: no whole month, and the forecast starts at today's month when the
        # rows are in it (it is still running), else at the month after theirs
        (["2024-12-31"], "2024-12-31", "2024-12"),
        (["2024-12-31"], "2025-01-01", "2025-01"),
        (["2025-01-01"], "2025-01-01", "2025-01"),
        (["2024-02-29"], "2024-02-29", "2024-02"),
        (["2024-02-29"], "2024-03-01", "2024-03"),
        (["2025-02-28"], "2025-02-28", "2025-02"),
        # a new user's statement from the 10th of the running month
        (["2024-12-10", "2024-12-20"], "2024-12-20", "2024-12"),
        (["2024-12-10", "2024-12-20"], "2024-12-31", "2024-12"),
    ],
)
def test_no_whole_month_yet_forecasts_from_the_running_month(
    days: list[str], today: str, first: str
) -> None:
    result = forecast([row(d, "-5.00") for d in days], today)
    assert result["history"] == {"months": 0, "first_month": None, "last_month": None}
    assert result["first_month"] == first
    assert "no complete month of history yet" in result["notes"]


def test_a_ledger_spanning_exactly_one_year() -> None:
    rows = daily(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    result = forecast(rows, "2025-01-01")
    assert result["history"] == {"months": 12, "first_month": "2024-01", "last_month": "2024-12"}
    days_in = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    assert [m["value"] for m in total(result)["history"]] == [3.0 * n for n in days_in]
    assert [p["month"] for p in total(result)["points"]] == ["2025-01", "2025-02"]


def test_rent_paid_before_new_year_counts_in_january() -> None:
    # Rent due on the 1st, paid on 30 December for January (and on 28 February for March, the
    # 1st being a Saturday): each month holds one rent, never none and then two.
    paid = ["2024-10-01", "2024-11-01", "2024-12-01", "2024-12-30", "2025-02-01", "2025-02-28"]
    rows = [row(d, "-900.00", "Rent") for d in paid]
    rows += daily(dt.date(2024, 10, 1), dt.date(2025, 3, 31), "-1.00")
    result = forecast(rows, "2025-04-01")
    rent = next(s for s in result["series"] if s["category"] == "Rent")
    history = {m["month"]: m["value"] for m in rent["history"]}
    assert history == {
        "2024-10": 900.0,
        "2024-11": 900.0,
        "2024-12": 900.0,
        "2025-01": 900.0,
        "2025-02": 900.0,
        "2025-03": 900.0,
    }


def test_rows_after_today_are_left_out_with_a_note() -> None:
    rows = daily(dt.date(2024, 1, 1), dt.date(2024, 11, 30))
    rows += [row("2025-01-01", "-900.00", "Rent"), row("2052-11-30", "-1.00")]
    result = forecast(rows, "2024-12-07")
    assert "2 transaction(s) dated after 2024-12-07 were left out" in result["notes"]
    assert result["history"]["last_month"] == "2024-11"
    assert result["first_month"] == "2024-12"
    assert [s["category"] for s in result["series"]] == [None, None, "Food"]
