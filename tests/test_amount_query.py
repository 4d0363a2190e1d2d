"""The amount box's little language (desktop/amount_query.py): exact sizes, ranges, open ends."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from desktop.amount_query import AmountQueryError, parse, text_of


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("", None),
        ("   ", None),
        ("49.99", (D("49.99"), D("49.99"))),
        ("-49.99", (D("49.99"), D("49.99"))),  # pasted from the table
        ("£1,249.00", (D("1249.00"), D("1249.00"))),
        ("40-60", (D("40"), D("60"))),
        ("60 – 40", (D("40"), D("60"))),
        ("10 to 20.5", (D("10"), D("20.5"))),
        ("1..2", (D("1"), D("2"))),
        (">500", (D("500"), None)),
        (">= 500", (D("500"), None)),
        ("500+", (D("500"), None)),
        ("<10", (None, D("10"))),
        ("<=0.5", (None, D("0.5"))),
    ],
)
def test_parse(text: str, bounds: tuple[D | None, D | None] | None) -> None:
    assert parse(text) == bounds


@pytest.mark.parametrize(
    "text", ["abc", "1-2-3", ">", "<x", "nan", "inf", "1e999999999", "\x00", "4.4.4", "--"]
)
def test_nonsense_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(AmountQueryError, match="40-60"):
        parse(text)


@pytest.mark.parametrize(
    "bounds",
    [(D("49.99"), D("49.99")), (D("40"), D("60")), (D("500"), None), (None, D("10")), (None, None)],
)
def test_text_of_reads_back(bounds: tuple[D | None, D | None]) -> None:
    assert parse(text_of(*bounds)) == (None if bounds == (None, None) else bounds)


def test_one_size_reads_the_same_in_the_box_and_on_the_command_line() -> None:
    """`fincast --amount-from` takes one size through the same reading as the box."""
    import argparse

    from desktop.amount_query import size
    from desktop.commands._filters import size_arg

    assert size("£1,200.50") == size_arg("1,200.50") == D("1200.50")
    for hostile in ("", "-5", "1e9", "12.3.4", "x", "9" * 16, "\x00"):
        with pytest.raises(AmountQueryError):
            size(hostile)
        with pytest.raises(argparse.ArgumentTypeError, match="not an amount's size"):
            size_arg(hostile)
