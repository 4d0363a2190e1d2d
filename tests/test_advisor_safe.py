"""The advisor's arithmetic on hand-computed cases, and its answers to malformed requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sidecars.advisor.safe import DISCLAIMER, AdviceInputError, safe_to_save


def series(
    lower: float, yhat: float, upper: float, month: str = "2026-11", method: str = "smoothed_level"
) -> dict[str, Any]:
    point = {
        "month": month,
        "yhat": yhat,
        "lower": lower,
        "upper": upper,
        "lower95": lower - 100,
        "upper95": upper + 100,
    }
    return {"category": None, "kind": "net", "method": method, "points": [point]}


def params(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "net_forecast": series(500.40, 1200.0, 1900.0),
        "spending_forecast": series(1500.0, 1800.0, 2000.0),
        # 2000 of imported transactions on top of the 1000 the statements started from.
        "balances": [
            {"account": "Current", "amount": "2000.00", "currency": "USD", "opening": "1000.00"}
        ],
        "upcoming_recurring": [{"name": "Gym", "amount": "-150.00", "currency": "USD"}],
        "buffer_months": 1,
        "history_months": 24,
    }
    base.update(overrides)
    return base


def test_balances_cover_the_reserve_so_the_low_end_of_the_surplus_is_safe() -> None:
    # reserve = 1 x 2000 (high-end spending) + 150 upcoming = 2150 <= 3000 held: nothing short.
    advice = safe_to_save(params()).to_json()
    assert advice["amount"] == "500.00"  # 500.40 rounded down to whole units
    assert advice["currency"] == "USD"
    assert advice["confidence"] == 0.9
    assert advice["confidence_label"] == "high"
    assert any("2,150.00 USD in reserve" in r for r in advice["reasons"])
    assert any("hold 3,000.00 USD (including 1,000.00 USD" in r for r in advice["reasons"])
    assert advice["warnings"] == [DISCLAIMER]


def test_a_balance_without_its_opening_is_counted_as_it_is_and_flagged() -> None:
    # Only the 2000 of imported transactions: 150 short of the 2150 reserve; 500.40 - 150 -> 350.
    current = {"account": "Current", "amount": "2000.00", "currency": "USD"}
    for row in (current, current | {"opening": None}):
        advice = safe_to_save(params(balances=[row]))
        assert advice.amount == 35000
        assert advice.confidence == "medium"
        assert any("balance of Current is only the sum" in w for w in advice.warnings)


def test_an_overdrawn_start_lowers_what_the_account_holds() -> None:
    # 3000 of transactions from an opening of -1000: holds 2000, 150 short -> 350.
    row = {"account": "Current", "amount": "3000.00", "currency": "USD", "opening": "-1000.00"}
    advice = safe_to_save(params(balances=[row]))
    assert advice.amount == 35000 and advice.confidence == "high"
    assert any("150.00 USD short" in r for r in advice.reasons)


def test_a_reserve_shortfall_comes_off_first() -> None:
    # held 2000 against a 2150 reserve: 150 short; 500.40 - 150 = 350.40 -> 350.00.
    advice = safe_to_save(params(balances=[{"amount": "2000.00", "currency": "USD"}]))
    assert advice.amount == 35000
    assert any("150.00 USD short" in r for r in advice.reasons)


def test_a_shortfall_bigger_than_the_surplus_gives_zero() -> None:
    advice = safe_to_save(params(balances=[{"amount": "1000.00", "currency": "USD"}]))
    assert advice.to_json()["amount"] == "0.00"
    assert "Nothing is left" in advice.reasons[-1]


def test_buffer_months_scale_the_reserve() -> None:
    # 2 x 2000 + 150 = 4150 against 4000 held: 150 short again.
    advice = safe_to_save(params(buffer_months=2, balances=[{"amount": "4000", "currency": "USD"}]))
    assert advice.amount == 35000


def test_negative_outlook_gives_zero_with_the_reason() -> None:
    advice = safe_to_save(params(net_forecast=series(-10.0, 300.0, 610.0)))
    assert advice.amount == 0
    assert "bad month" in advice.reasons[0] and "-10.00 USD" in advice.reasons[0]


@pytest.mark.parametrize(
    "overrides",
    [
        {"history_months": 3},
        {"net_forecast": series(100.0, 200.0, 300.0, method="short_history_mean")},
        {"net_forecast": {"method": "none", "points": []}},
    ],
)
def test_too_little_history_gives_zero_and_says_so(overrides: dict[str, Any]) -> None:
    advice = safe_to_save(params(**overrides))
    assert advice.amount == 0
    assert advice.confidence == "none"
    assert "history" in advice.reasons[0]


def test_without_balances_the_upcoming_payments_are_taken_off_and_confidence_is_low() -> None:
    advice = safe_to_save(params(balances=[]))
    assert advice.amount == 35000  # 500.40 - 150.00 = 350.40 -> 350.00
    assert advice.confidence == "low"
    assert any("balances" in w for w in advice.warnings)


def test_zero_decimal_currency_rounds_down_to_whole_yen() -> None:
    advice = safe_to_save(
        params(
            net_forecast=series(12345.6, 20000.0, 30000.0),
            spending_forecast=series(1.0, 2.0, 3.0),
            balances=[{"amount": "900000", "currency": "JPY", "opening": "0"}],
            upcoming_recurring=[],
        )
    )
    assert advice.to_json() | {"reasons": [], "warnings": []} == {
        "amount": "12345",
        "currency": "JPY",
        "confidence": 0.9,
        "confidence_label": "high",
        "reasons": [],
        "warnings": [],
    }


def test_other_currencies_are_left_out_with_a_warning() -> None:
    advice = safe_to_save(
        params(
            balances=[
                {"amount": "3000.00", "currency": "USD"},
                {"amount": "9.99", "currency": "EUR"},
            ]
        )
    )
    assert advice.amount == 50000
    assert any("EUR" in w for w in advice.warnings)


def test_a_forecast_that_ends_before_this_month_suggests_nothing() -> None:
    # Statements that stop in October: November's surplus says nothing about January's.
    advice = safe_to_save(params(), today=dt.date(2027, 1, 5))
    assert (advice.amount, advice.confidence) == (0, "none")
    assert advice.reasons == (
        "The forecast ends in 2026-11, before this month (2027-01): your statements stop too"
        " long ago to suggest an amount; import newer ones.",
    )


def test_statements_that_stop_last_month_use_this_months_point_and_say_so() -> None:
    # Imported up to 20 November, asked on 7 December: the forecast starts with November (left
    # out as incomplete), and December, this month, is its second point.
    net = series(500.40, 1200.0, 1900.0)
    net["points"].append(net["points"][0] | {"month": "2026-12", "lower": 100.0, "yhat": 900.0})
    spending = series(1500.0, 1800.0, 2000.0)
    spending["points"].append(spending["points"][0] | {"month": "2026-12", "upper": 2400.0})
    advice = safe_to_save(
        params(net_forecast=net, spending_forecast=spending), today=dt.date(2026, 12, 7)
    )
    # reserve 2400 + 150 = 2550 <= 3000 held; December's low end 100.00 -> 100 (November's: 500).
    assert advice.amount == 10000
    assert any("2,550.00 USD in reserve" in r for r in advice.reasons)
    assert advice.warnings[1].startswith("The forecast starts at 2026-11, the first month")


def test_a_forecast_for_a_later_month_is_flagged() -> None:
    advice = safe_to_save(params(), today=dt.date(2026, 10, 30))
    assert advice.amount == 50000
    assert any("The forecast is for 2026-11, not the current month" in w for w in advice.warnings)


def test_one_month_of_history_suggests_nothing_and_says_how_much_there_is() -> None:
    advice = safe_to_save(params(history_months=1))
    assert advice.reasons == (
        "The history covers 1 month(s); at least 6 whole months are needed before suggesting an"
        " amount to set aside.",
    )


def test_wide_band_lowers_confidence() -> None:
    advice = safe_to_save(params(net_forecast=series(10.0, 100.0, 900.0)))
    assert advice.confidence == "medium"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"net_forecast": None}, "net_forecast"),
        ({"net_forecast": "lots"}, "net_forecast"),
        ({"net_forecast": {"points": "x"}}, "points"),
        ({"net_forecast": {"points": [{"yhat": 1, "lower": float("nan"), "upper": 2}]}}, "lower"),
        ({"net_forecast": {"points": [{"yhat": "1", "lower": 0, "upper": 2}]}}, "yhat"),
        ({"balances": [{"amount": 3000.0, "currency": "USD"}]}, "decimal string"),
        ({"balances": [{"amount": "12,50", "currency": "USD"}]}, "balances[0].amount"),
        ({"balances": [{"amount": "1.005", "currency": "USD"}]}, "more decimals"),
        ({"balances": "3000"}, "balances"),
        ({"balances": [{"amount": "1.00", "currency": "USD", "opening": 5}]}, "opening"),
        ({"balances": [{"amount": "1.00", "opening": "5 000"}]}, "balances[0].opening"),
        ({"upcoming_recurring": [7]}, "upcoming_recurring[0]"),
        ({"buffer_months": -1}, "buffer_months"),
        ({"buffer_months": True}, "buffer_months"),
        ({"currency": "$$"}, "currency"),
    ],
)
def test_malformed_requests_are_refused_with_a_clear_message(
    overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(AdviceInputError) as info:
        safe_to_save(params(**overrides))
    assert fragment in str(info.value)


def test_balances_as_a_mapping_by_account_name_are_accepted() -> None:
    by_name = {"Current": {"amount": "2000.00", "currency": "USD"}}
    assert safe_to_save(params(balances=by_name)).amount == 35000
