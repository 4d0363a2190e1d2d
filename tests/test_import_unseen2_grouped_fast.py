"""Amounts with thousands separators ("1,234.56") take a fast path; it must read every cell
exactly as the general path does (same minor units, same sign marker, same refusals)."""

from __future__ import annotations

import random

import pytest

from data.importer import amounts

_CELLS = [
    "1,234.56",
    "-1,234.56",
    "12,345",
    "1,234,567.89",
    " 1,234.50 ",
    "-0,001.00",
    "1,23",
    "12,34.56",
    "1,234.5",
    "1,234.567",
    "1.234,56",
    "-12.345,67",
    "1.234",
    "1.234.567,00",
    "+1,234.56",
    "1,234.56-",
    "1,20,000.00",
    "$1,234.56",
    "1 234,56",
    ",123.45",
    "1,,234.00",
]


@pytest.mark.parametrize("decimal", [".", ","])
def test_fast_path_reads_like_the_general_path(decimal: str) -> None:
    rng = random.Random(7)
    generated = []
    for _ in range(2000):
        value = rng.randint(0, 10**9)
        text = f"{value / 100:,.2f}" if rng.random() < 0.7 else f"{value:,}"
        if decimal == ",":
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        generated.append(("-" if rng.random() < 0.4 else "") + text)
    for cell in _CELLS + generated:
        assert amounts.parse(cell, decimal) == amounts.parse_general(cell, decimal), cell


def test_grouped_cells_read_as_before() -> None:
    assert amounts.parse("1,234.56", ".") == amounts.Amount(123456, "")
    assert amounts.parse("-1.234,56", ",") == amounts.Amount(-123456, "-")
    assert amounts.parse("12,345", ".") == amounts.Amount(1234500, "")
    assert amounts.parse("1,234.567", ".") is None
