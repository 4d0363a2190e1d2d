"""Money stays exact: minor units round-trip through decimal strings for every currency exponent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data.money import MoneyError, exponent, format_decimal, to_decimal, to_minor


def test_two_decimal_currency_round_trips() -> None:
    assert to_minor("-12.50", "USD") == -1250
    assert format_decimal(-1250, "USD") == "-12.50"
    assert format_decimal(5, "EUR") == "0.05"


def test_zero_and_three_decimal_currencies() -> None:
    assert exponent("jpy") == 0
    assert to_minor("1500", "JPY") == 1500
    assert format_decimal(1500, "JPY") == "1500"
    assert to_minor("1.234", "KWD") == 1234
    assert format_decimal(-1234, "KWD") == "-1.234"


@pytest.mark.parametrize("bad", ["", "abc", "1,00", "NaN", "Infinity", "1e", "--1"])
def test_non_amounts_are_refused(bad: str) -> None:
    with pytest.raises(MoneyError):
        to_minor(bad, "USD")


def test_more_precision_than_the_currency_has_is_refused() -> None:
    with pytest.raises(MoneyError, match="more decimals"):
        to_minor("0.001", "USD")
    with pytest.raises(MoneyError):
        to_minor("1.5", "JPY")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["USD", "JPY", "KWD"]))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    text = format_decimal(minor, currency)
    assert to_minor(text, currency) == minor
    assert to_decimal(minor, currency) == Decimal(text)
