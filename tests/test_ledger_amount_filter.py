"""Filtering by an amount's size (TxFilter.amount_from / amount_to) on a real ledger, in pounds,
yen (no minor unit) and dinars (three decimals) at once, checked against exact Decimal sizes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from data.ledger import Ledger, TxFilter
from data.money import to_decimal

D = Decimal


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    rng = random.Random(5)
    with Ledger.open(tmp_path / "ledger.sqlite") as opened:
        conn = opened._conn
        for currency, scale in (("GBP", 100), ("JPY", 1), ("BHD", 1000)):
            acct = opened.ensure_account(currency, currency)
            for i in range(120):
                amount = rng.choice([-1, 1]) * rng.choice(
                    [rng.randrange(0, 5 * scale), rng.randrange(0, 500 * scale), 4999, 49990]
                )
                conn.execute(
                    "INSERT INTO transactions (account_id, date, amount, currency, description, "
                    "payee, fingerprint) VALUES (?, '2024-01-01', ?, ?, 'X', 'X', ?)",
                    (acct.id, amount, currency, f"{currency}{i}"),
                )
        yield opened


def _sizes(ledger: Ledger, flt: TxFilter) -> list[tuple[str, Decimal]]:
    return sorted(
        (t.currency, abs(to_decimal(t.amount, t.currency))) for t in ledger.iter_transactions(flt)
    )


BOUNDS = [
    (D("49.99"), D("49.99")),
    (D("49.990"), None),
    (None, D("1")),
    (D("0.0005"), D("0.0015")),  # finer than any currency here: only BHD's 0.001 fits
    (D("4999"), D("4999")),  # yen 4999, and nothing in pounds or dinars that size
    (D("0"), D("0")),
    (D("12.345"), D("300")),
    (D("1e6"), None),
]


@pytest.mark.parametrize(("low", "high"), BOUNDS)
def test_sizes_match_exact_decimals(
    ledger: Ledger, low: Decimal | None, high: Decimal | None
) -> None:
    everything = _sizes(ledger, TxFilter())
    expected = [
        (c, size)
        for c, size in everything
        if (low is None or size >= low) and (high is None or size <= high)
    ]
    flt = TxFilter(amount_from=low, amount_to=high)
    assert _sizes(ledger, flt) == expected
    assert ledger.count(flt) == len(expected)
    page = ledger.transactions(flt, limit=10_000, order="amount_asc")
    assert len(page) == len(expected)


def test_with_other_filters(ledger: Ledger) -> None:
    flt = TxFilter(account="JPY", amount_from=D("4999"), amount_to=D("4999"))
    assert {(t.currency, abs(t.amount)) for t in ledger.iter_transactions(flt)} == {("JPY", 4999)}


def test_absurd_bounds_answer_without_blowing_up(ledger: Ledger) -> None:
    everything = ledger.count()
    huge = D("1e999999999")  # its integer would take gigabytes
    assert ledger.count(TxFilter(amount_from=huge)) == 0
    assert ledger.count(TxFilter(amount_to=huge)) == everything
    assert ledger.count(TxFilter(amount_to=D("-5"))) == 0
    assert ledger.count(TxFilter(amount_from=D("-5"))) == everything
    for bad in (D("NaN"), D("Infinity")):
        with pytest.raises(ValueError, match="finite"):
            ledger.count(TxFilter(amount_from=bad))
