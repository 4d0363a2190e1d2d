"""Hostile input to the insights methods: empty, malformed, identical, huge, out of order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sidecars.insights.service import anomalies, insights, recurring
from sidecars.runtime import BadRequest


def tx(ident: Any, date: str, description: Any = "Shop", amount: Any = "-1.00") -> dict[str, Any]:
    return {"id": ident, "date": date, "description": description, "amount": amount}


@pytest.mark.parametrize("method", [recurring, anomalies, insights])
def test_no_transactions(method: Any) -> None:
    result = method({"transactions": []})
    assert all(value == [] for value in result.values())


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([], "params must be an object"),
        ({}, "'transactions' must be a list"),
        ({"transactions": "x"}, "'transactions' must be a list"),
        ({"transactions": [1]}, "transaction 1 is not an object"),
        ({"transactions": [tx(True, "2024-01-01")]}, "transaction 1: id must be"),
        ({"transactions": [tx(None, "2024-01-01")]}, "transaction 1: id must be"),
        ({"transactions": [tx(1, "2024-01-01"), tx(1, "2024-01-02")]}, "appears more than once"),
        ({"transactions": [tx(1, "2024-13-01")]}, "not a valid ISO date"),
        ({"transactions": [tx(1, "2023-10-10T00:00:00")]}, "must be an ISO date"),
        ({"transactions": [tx(1, 20240101)]}, "must be an ISO date"),
        ({"transactions": [tx(1, "2024-01-01", amount=1.5)]}, "decimal string"),
        ({"transactions": [tx(1, "2024-01-01", amount="abc")]}, "not a decimal number"),
        ({"transactions": [tx(1, "2024-01-01", amount="NaN")]}, "not a plausible amount"),
        ({"transactions": [tx(1, "2024-01-01", amount="1e400")]}, "not a plausible amount"),
        (
            {"transactions": [tx(1, "2024-01-01", description=b"\xff")]},
            "description must be a string",
        ),
    ],
)
def test_malformed_requests_name_the_problem(params: Any, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        insights(params)


def test_one_merchant_only_and_identical_rows() -> None:
    rows = [tx(i, "2024-03-01", "Same Shop", "-9.99") for i in range(200)]
    result = insights({"transactions": rows})
    assert result["recurring"] == []
    # Two hundred identical charges on one day are a habit of this data, not 199 duplicates.
    assert [a for a in result["anomalies"] if a["kind"] == "duplicate"] == []


def test_huge_amounts_and_edge_of_calendar_dates() -> None:
    rows = [
        tx(
            i,
            (dt.date(9999, 1, 1) + dt.timedelta(days=30 * i)).isoformat(),
            "Vault",
            "-999999999999999.99",
        )
        for i in range(12)
    ]
    rows += [tx("min", "0001-01-01", "Vault", "-0.01"), tx("zero", "2024-01-01", "Vault", "0")]
    result = insights({"transactions": rows})
    [stream] = result["recurring"]
    assert stream["cadence"] == "monthly"
    assert stream["amount"] == "-999999999999999.99"


def test_garbage_descriptions_are_kept_out_of_merchant_insights() -> None:
    rows = [tx(i, f"2024-01-{i + 1:02d}", "\x00\x01 \u202e", "-5.00") for i in range(10)]
    rows += [tx("long", "2024-01-20", "x" * 100_000, "-5.00")]
    result = insights({"transactions": rows})
    assert result == {"recurring": [], "anomalies": []}


def test_order_of_input_does_not_change_the_answer() -> None:
    base = dt.date(2023, 1, 3)
    rows = [
        tx(f"n{i}", (base + dt.timedelta(days=28 * i)).isoformat(), "Gym", "-30.00")
        for i in range(8)
    ]
    rows += [tx("d1", "2023-03-10", "Shop", "-80.00"), tx("d2", "2023-03-11", "Shop", "-80.00")]
    rows += [
        tx(f"s{i}", (base + dt.timedelta(days=3 * i)).isoformat(), "Shop", f"-{10 + i % 7}.00")
        for i in range(60)
    ]
    forward = insights({"transactions": rows})
    assert insights({"transactions": list(reversed(rows))}) == forward
    assert forward["anomalies"] and forward["recurring"]


def test_extra_fields_are_ignored_and_integer_ids_echo_back() -> None:
    rows = [
        {**tx(i, f"2024-0{i + 1}-15", "Netflix", "-15.49"), "balance": "x", "junk": [1]}
        for i in range(5)
    ]
    [stream] = recurring({"transactions": rows, "extra": True})["recurring"]
    assert stream["transactions"] == [0, 1, 2, 3, 4]


def test_one_merchant_in_two_currencies_is_two_series() -> None:
    rows = [
        {**tx(f"{cur}{i}", f"2024-0{i + 1}-10", "Spotify", amount), "currency": cur}
        for i in range(4)
        for cur, amount in (("EUR", "-9.99"), ("GBP", "-11.99"))
    ]
    found = recurring({"transactions": rows})["recurring"]
    # each says its currency, so that nobody shows or counts the euros as pounds
    assert sorted((s["currency"], s["amount"]) for s in found) == [
        ("EUR", "-9.99"),
        ("GBP", "-11.99"),
    ]
    assert all(len(s["transactions"]) == 4 for s in found)
