"""Dates and amounts: single cells read exactly, and the formats a whole column allows."""

from __future__ import annotations

import datetime

import pytest

from data.importer import amounts, dates

D = datetime.date


@pytest.mark.parametrize(
    ("cell", "fmt", "expected"),
    [
        ("2024-01-31", "%Y-%m-%d", D(2024, 1, 31)),
        ("31.01.2024", "%d.%m.%Y", D(2024, 1, 31)),
        ("31.01.24", "%d.%m.%y", D(2024, 1, 31)),
        ("31.01.99", "%d.%m.%y", D(1999, 1, 31)),
        ("1/31/2024", "%m/%d/%Y", D(2024, 1, 31)),
        ("20240131", "%Y%m%d", D(2024, 1, 31)),
        ("2012:01:03", "%Y:%m:%d", D(2012, 1, 3)),
        ("2019.11.08.", "%Y.%m.%d", D(2019, 11, 8)),
        ("31 Jan 2024", "%d %b %Y", D(2024, 1, 31)),
        ("13-Jun-25", "%d-%b-%y", D(2025, 6, 13)),
        ("01 Mrt 2016", "%d %b %Y", D(2016, 3, 1)),  # Afrikaans/Dutch
        ("05 Mär 2024", "%d %b %Y", D(2024, 3, 5)),  # German
        ("5 okt 2023", "%d %b %Y", D(2023, 10, 5)),  # Dutch/Swedish
        ("5. März 2024", "%d. %b %Y", D(2024, 3, 5)),
        ("12 déc. 2023", "%d %b %Y", D(2023, 12, 12)),  # French
        ("Jan 5, 2024", "%b %d, %Y", D(2024, 1, 5)),
        ("2017-04-25T03:15:53", "%Y-%m-%d", D(2017, 4, 25)),
        ("2018-02-26 17:43:35 +0000", "%Y-%m-%d", D(2018, 2, 26)),
        ("11/13/2020 as of 11/12/2020", "%m/%d/%Y", D(2020, 11, 13)),
        ("2024-02-30", "%Y-%m-%d", None),
        ("2024-13-01", "%Y-%m-%d", None),
        ("Pending", "%d %b %y", None),
        ("", "%Y-%m-%d", None),
        ("31.01.2024", "%d.%m.%y", None),
    ],
)
def test_parse_date(cell: str, fmt: str, expected: datetime.date | None) -> None:
    assert dates.parse(cell, fmt) == expected


def test_formats_are_decided_from_all_values() -> None:
    assert dates.formats_for(["01/02/2024", "03/04/2024"]) == ("%d/%m/%Y", "%m/%d/%Y")
    assert dates.formats_for(["01/02/2024", "03/04/2024", "25/04/2024"]) == ("%d/%m/%Y",)
    assert dates.formats_for(["01/02/2024", "12/31/2024"]) == ("%m/%d/%Y",)
    assert dates.formats_for(["01/02/2024", "31/12/2024", "12/31/2024"]) == ()
    assert dates.formats_for(["20240102", ""]) == ("%Y%m%d",)
    # Dotted dates are never month-first, so there is nothing to ask.
    assert dates.formats_for(["01.02.2024"]) == ("%d.%m.%Y",)


def test_yearless_formats_need_a_year_and_never_shadow_full_dates() -> None:
    assert dates.parse("01 Mrt", "%d %b") is None
    assert dates.parse("01 Mrt", "%d %b", 2016) == D(2016, 3, 1)
    assert dates.formats_for(["01 Mrt", "25 Mrt"]) == ("%d %b",)
    assert dates.formats_for(["01 Mar 2016"]) == ("%d %b %Y",)
    assert dates.period_of(["Period", "28 Februarie 2016", "28 Maart 2016"]) == (
        "2016-02-28",
        "2016-03-28",
    )
    parser = dates.DateParser("%d %b", ("2015-12-28", "2016-01-28"))
    assert (parser("31 Dec"), parser("3 Jan"), parser("15 Jul")) == (
        D(2015, 12, 31),
        D(2016, 1, 3),
        None,
    )


def test_day_first() -> None:
    assert dates.day_first("%d/%m/%Y") is True
    assert dates.day_first("%m/%d/%y") is False
    assert dates.day_first("%Y-%m-%d") is None


@pytest.mark.parametrize(
    ("cell", "decimal", "minor", "marker"),
    [
        ("1,234.56", ".", 123456, ""),
        ("1.234,56", ",", 123456, ""),
        ("1 234,56", ",", 123456, ""),
        ("1\u00a0234,56", ",", 123456, ""),
        ("1'234.56", ".", 123456, ""),
        ("-12.50", ".", -1250, "-"),
        ("12.50-", ".", -1250, "-"),
        ("\u221212.50", ".", -1250, "-"),
        ("(1,936.76)", ".", -193676, "-"),
        ("($300.00)", ".", -30000, "-"),
        ("+ $1,100.00", ".", 110000, "+"),
        ("- £5", ".", -500, "-"),
        ("-£52.00", ".", -5200, "-"),
        ("-$454.99 USD", ".", -45499, "-"),
        ("12.00 CR", ".", 1200, "+"),
        ("12.00DR", ".", -1200, "-"),
        ("€ 7,5", ",", 750, ""),
        ("22.30元", ".", 2230, ""),
        ("Rs.1,234.00", ".", 123400, ""),
        ("1.000,0", ",", 100000, ""),
        ("-1.450", ",", -145000, "-"),
        ("2500", ".", 250000, ""),
        ("0,00", ",", 0, ""),
        ('"-1.00"\t', ".", -100, "-"),
        ("1.2300", ".", 123, ""),
        ("131.77(refunded 89.84)", ".", 13177, ""),  # a note after the number
        ("-3.90(CN)", ".", -390, "-"),
        ("12.00 (DR)", ".", -1200, "-"),  # a sign in parentheses still counts
        ("12.00 (CR)", ".", 1200, "+"),
        ("(12.00)", ".", -1200, "-"),
    ],
)
def test_parse_amount(cell: str, decimal: str, minor: int, marker: str) -> None:
    assert amounts.parse(cell, decimal) == amounts.Amount(minor, marker)


@pytest.mark.parametrize(
    ("cell", "decimal"),
    [
        ("Coffee", "."),
        ("VWZ1", "."),
        ("abc 12", "."),
        ("12.345", "."),  # more decimals than cents
        ("1,5", "."),  # a comma where only thousands are allowed
        ("", "."),
        ("-", "."),
        ("1.2.3", "."),
        ("12 34 56 78 EUR EUR EUR", "."),
        ("12.00 (12.00)", "."),  # two numbers: not a note
        ("Fee (2.50)", "."),
    ],
)
def test_not_an_amount(cell: str, decimal: str) -> None:
    assert amounts.parse(cell, decimal) is None


def test_blank_amounts() -> None:
    assert all(amounts.is_blank(c) for c in ["", " ", "-", "--", "n/a", "'"])
    assert not amounts.is_blank("0")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.234,56", "-3,50"], ","),
        (["1,234.56", "-3.50"], "."),
        (["1.000,0", "-8,67", "-1.450"], ","),
        (["-1.450", "2.000"], ","),  # dots before three digits are thousands separators
        (["1,234", "5,678"], "."),
        (["12", "13"], "."),
        (["1.234.567"], ","),
    ],
)
def test_decimal_style(values: list[str], expected: str) -> None:
    assert amounts.decimal_style(values) == expected


def test_exponent_for_other_minor_units() -> None:
    assert amounts.parse("1.500", ".", exponent=3) == amounts.Amount(1500, "")
    assert amounts.parse("1500", ".", exponent=0) == amounts.Amount(1500, "")
