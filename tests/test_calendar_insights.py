"""The insights on the calendar's awkward days: bills on the 31st, a yearly charge on 29 February,
a salary on the 30th across February, series across the new year, and rows dated in the future.

Every expected date is worked out by hand in the test's comment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sidecars.insights.service import anomalies, recurring
from sidecars.runtime import BadRequest


def tx(ident: Any, date: str, description: str, amount: str) -> dict[str, Any]:
    return {"id": ident, "date": date, "description": description, "amount": amount}


def series(description: str, amount: str, dates: list[str]) -> list[dict[str, Any]]:
    return [tx(f"r{i}", d, description, amount) for i, d in enumerate(dates)]


def one(rows: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
    [found] = recurring({"transactions": rows, **params})["recurring"]
    return found


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # Billed on the 31st, first seen in months that have none: the 30th and 28th are the
        # 31st clamped, so the next charge is on the 31st of the next long month.
        (["2024-09-30", "2024-10-31", "2024-11-30"], "2024-12-31"),
        (["2025-02-28", "2025-03-31", "2025-04-30"], "2025-05-31"),
        (["2024-04-30", "2024-05-31", "2024-06-30"], "2024-07-31"),
        # ... and from a long month into a short one, across the new year and February
        (["2024-10-31", "2024-11-30", "2024-12-31"], "2025-01-31"),
        (["2024-11-30", "2024-12-31", "2025-01-31"], "2025-02-28"),
        (["2023-12-31", "2024-01-31"], None),  # two charges are not yet a monthly series
        (["2023-12-31", "2024-01-31", "2024-02-29"], "2024-03-31"),
        (["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"], "2024-05-31"),
    ],
)
def test_a_subscription_billed_on_the_31st_is_next_due_on_the_31st_or_its_months_last_day(
    dates: list[str], expected: str | None
) -> None:
    found = recurring({"transactions": series("SPOTIFY P1A2B3", "-10.99", dates)})["recurring"]
    if expected is None:
        assert found == []
        return
    [stream] = found
    assert (stream["cadence"], stream["next_date"], stream["missed"]) == (
        "monthly",
        expected,
        [],
    )


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # Paid on the 30th; February has no 30th, so it was paid on its last day, the 28th.
        (["2024-11-30", "2024-12-30", "2025-01-30"], "2025-02-28"),
        (["2024-12-30", "2025-01-30", "2025-02-28"], "2025-03-30"),
        (["2024-12-30", "2025-01-30", "2025-02-28", "2025-03-30"], "2025-04-30"),
        (["2024-09-30", "2024-10-30", "2024-11-30"], "2024-12-30"),  # never the 31st
        (["2024-01-30", "2024-02-29", "2024-03-30"], "2024-04-30"),
    ],
)
def test_a_salary_on_the_30th_crossing_february_keeps_the_30th(
    dates: list[str], expected: str
) -> None:
    stream = one(series("ACME LTD SALARY", "2500.00", dates))
    assert (stream["cadence"], stream["amount"], stream["next_date"]) == (
        "monthly",
        "2500.00",
        expected,
    )


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # Started on 29 February 2024: charged on the 28th in the years without a 29th, and on
        # the 29th again in 2028.
        (["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28"], "2028-02-29"),
        (["2024-02-29", "2025-02-28"], "2026-02-28"),
        (["2020-02-29", "2021-02-28", "2022-02-28", "2023-02-28", "2024-02-29"], "2025-02-28"),
        # Really on the 28th (2024's charge was on the 28th, not the month's last day)
        (["2023-02-28", "2024-02-28", "2025-02-28"], "2026-02-28"),
        (["2024-03-01", "2025-03-01"], "2026-03-01"),
        (["2023-12-31", "2024-12-31"], "2025-12-31"),
    ],
)
def test_a_yearly_charge_keeps_its_anniversary(dates: list[str], expected: str) -> None:
    stream = one(series("AMAZON PRIME ANNUAL", "-95.00", dates))
    assert (stream["cadence"], stream["next_date"]) == ("yearly", expected)


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2024-01-31", "2024-04-30", "2024-07-31", "2024-10-31"], "2025-01-31"),
        (["2024-05-31", "2024-08-31", "2024-11-30"], "2025-02-28"),
        (["2024-08-31", "2024-11-30", "2025-02-28"], "2025-05-31"),
        (["2023-11-29", "2024-02-29", "2024-05-29"], "2024-08-29"),
    ],
)
def test_a_quarterly_bill_on_a_months_end(dates: list[str], expected: str) -> None:
    stream = one(series("WESSEX WATER", "-80.00", dates))
    assert (stream["cadence"], stream["next_date"]) == ("quarterly", expected)


@pytest.mark.parametrize("day", [1, 15, 28])
def test_a_monthly_series_crosses_the_new_year(day: int) -> None:
    dates = [f"2024-{m:02d}-{day:02d}" for m in (9, 10, 11, 12)]
    stream = one(series("NETFLIX.COM", "-15.49", dates))
    assert (stream["next_date"], stream["active"]) == (f"2025-01-{day:02d}", True)


def _netflix_to_november() -> list[dict[str, Any]]:
    return series("NETFLIX.COM", "-15.49", ["2024-08-15", "2024-09-15", "2024-10-15", "2024-11-15"])


@pytest.mark.parametrize("future", ["2025-01-01", "2052-11-20"])
def test_a_row_dated_after_today_does_not_stop_the_series_due_before_it(future: str) -> None:
    # Today is 1 December 2024; the statement lists January's rent the bank has scheduled (or a
    # row whose year was mistyped). Netflix, charged on 15 November, is next due on 15 December:
    # still running. Judged against the scheduled row's date it read as stopped (15 Dec + 4 days'
    # drift is before 1 Jan), left the Insights page and the advisor's upcoming payments.
    rows = [*_netflix_to_november(), tx("rent", future, "LANDLORD RENT", "-900.00")]
    found = one(rows, today="2024-12-01")
    assert (found["merchant"], found["next_date"], found["active"]) == (
        "Netflix.com",
        "2024-12-15",
        True,
    )
    # Without a today the latest row is "now", as before
    assert one(rows)["active"] is False


@pytest.mark.parametrize(("today", "active"), [("2024-12-19", True), ("2025-03-01", True)])
def test_a_today_after_the_statements_end_leaves_now_at_their_end(today: str, active: bool) -> None:
    # Statements that stop on 15 November are judged as of 15 November, whatever today is: a
    # series is not called stopped for want of statements that were never imported.
    assert one(_netflix_to_november(), today=today)["active"] is active


def test_a_series_is_stopped_when_today_is_past_its_due_date_and_the_rows_go_on() -> None:
    # Netflix last charged 15 September; the current account's rows go on to 20 November, and
    # today is 1 December: next due 15 October, not charged within 4 days of it: stopped.
    rows = series("NETFLIX.COM", "-15.49", ["2024-06-15", "2024-07-15", "2024-08-15", "2024-09-15"])
    rows.append(tx("g", "2024-11-20", "TESCO STORES 3297", "-54.10"))
    found = one(rows, today="2024-12-01")
    assert (found["next_date"], found["active"]) == ("2024-10-15", False)


@pytest.mark.parametrize("today", ["2024-13-01", "yesterday", 20241201, "2024-12-1"])
def test_a_malformed_today_is_refused_by_name(today: object) -> None:
    with pytest.raises(BadRequest, match="today"):
        recurring({"transactions": _netflix_to_november(), "today": today})


def _everyday(start: str, days: int) -> list[dict[str, Any]]:
    """Groceries every third day and a cafe every other day, amounts varying, from `start`."""
    first = dt.date.fromisoformat(start)
    rows = [
        tx(
            f"g{d}",
            (first + dt.timedelta(days=d)).isoformat(),
            "Karns Market",
            f"-{40 + d % 23}.10",
        )
        for d in range(0, days, 3)
    ]
    rows += [
        tx(f"c{d}", (first + dt.timedelta(days=d)).isoformat(), "Cafe Modagor", f"-{4 + d % 3}.50")
        for d in range(1, days, 2)
    ]
    return rows


@pytest.mark.parametrize(
    ("first", "second", "apart"),
    [
        ("2024-12-31", "2025-01-02", "2 days apart"),  # across the new year
        ("2024-02-28", "2024-03-01", "2 days apart"),  # 29 February between them
        ("2025-02-28", "2025-03-01", "1 day apart"),
        ("2024-12-31", "2024-12-31", "on the same day"),
    ],
)
def test_a_duplicate_charge_across_a_month_or_year_end(first: str, second: str, apart: str) -> None:
    rows = _everyday("2024-01-05", 500)
    rows += [tx("tv1", first, "Best Buy", "-349.99"), tx("tv2", second, "BEST BUY", "-349.99")]
    # (the first is also a large first payment at a new merchant, which is not the point here)
    found_all = anomalies({"transactions": rows})["anomalies"]
    [found] = [a for a in found_all if a["kind"] == "duplicate"]
    days = (dt.date.fromisoformat(second) - dt.date.fromisoformat(first)).days
    on = {"2024-12-31": "31 Dec 2024", "2025-01-02": "2 Jan 2025", "2024-02-28": "28 Feb 2024"}
    on |= {"2024-03-01": "1 Mar 2024", "2025-02-28": "28 Feb 2025", "2025-03-01": "1 Mar 2025"}
    assert (found["id"], found["kind"], found["score"]) == ("tv2", "duplicate", 1 - days / 8)
    assert found["reason"] == (
        f"Charged twice {apart}: 349.99 at Best Buy on {on[first]} and {on[second]}"
    )


@pytest.mark.parametrize(
    ("dates", "missed", "expected"),
    [
        # billed on the 31st; the charge missed is dated on the 31st (or its month's last day)
        (
            ["2024-09-30", "2024-10-31", "2024-11-30", "2025-01-31", "2025-02-28", "2025-03-31"],
            ["2024-12-31"],
            "2025-04-30",
        ),
        (["2024-10-31", "2024-12-31", "2025-01-31", "2025-02-28"], ["2024-11-30"], "2025-03-31"),
        (
            ["2024-01-31", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"],
            ["2024-02-29"],
            "2024-07-31",
        ),
        # paid on the 30th; February's missed pay was due on its last day
        (
            ["2024-11-30", "2024-12-30", "2025-01-30", "2025-03-30", "2025-04-30"],
            ["2025-02-28"],
            "2025-05-30",
        ),
    ],
)
def test_a_missed_charge_is_dated_on_the_series_usual_day(
    dates: list[str], missed: list[str], expected: str
) -> None:
    stream = one(series("SPOTIFY P1A2B3", "-10.99", dates))
    assert (stream["cadence"], stream["missed"], stream["next_date"]) == (
        "monthly",
        missed,
        expected,
    )
