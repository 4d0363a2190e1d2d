"""Column roles and the table region, stage by stage."""

from __future__ import annotations

import pytest

from data.importer import ImportProblem, words
from data.importer import columns as col
from data.importer.table import find_region, looks_like_transaction


@pytest.mark.parametrize(
    ("header", "words", "expected"),
    [
        ("Buchungstag", words.DATE_WORDS, True),
        ("Betrag (EUR)", words.AMOUNT_WORDS, True),
        ("Amount(in Rs)", words.CREDIT_WORDS, False),  # "in" alone is not "money in"
        ("In", words.CREDIT_WORDS, True),
        ("Paid out", words.DEBIT_WORDS, True),
        ("Withdrawal (-)", words.DEBIT_WORDS, True),
        ("Auftraggeber / Begünstigter", words.DESCRIPTION_WORDS, True),
        ("交易金额(收入)", words.CREDIT_WORDS, True),
        ("Running Balance", words.BALANCE_WORDS, True),
        ("Valutadatum", words.VALUE_DATE_WORDS, True),
        ("Description", words.AMOUNT_WORDS, False),
    ],
)
def test_header_words(header: str, words: tuple[str, ...], expected: bool) -> None:
    assert col.matches(header, words) is expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["D", "C", "D"], (frozenset({"d"}), frozenset({"c"}))),
        (["Af", "Bij"], (frozenset({"af"}), frozenset({"bij"}))),
        (["", "CR", ""], (frozenset({""}), frozenset({"cr"}))),
        (["支出", "收入"], (frozenset({"支出"}), frozenset({"收入"}))),
        (["支出", "/", "收入"], (frozenset({"支出"}), frozenset({"收入"}))),  # "/": neither
        (["Paid", "Paid"], None),  # one value throughout says nothing
        (["D", "C", "X"], None),
        (["D", "", "C"], None),
    ],
)
def test_indicator_values(cells: list[str], expected: object) -> None:
    assert col.indicator_values(cells) == expected


def test_column_stats() -> None:
    money = col.column_stats(2, "Betrag", ["-12,50", "1.000,00", ""], ",")
    assert (money.filled, money.numeric, money.signed, col.is_money(money)) == (2 / 3, 1.0, 1, True)
    ids = col.column_stats(0, "Reference", ["12345678", "23456789"], ".")
    assert ids.id_like and not col.is_money(ids)
    codes = col.column_stats(3, "Währung", ["EUR", "EUR"], ".")
    assert codes.currency_like and not col.is_money(codes)
    when = col.column_stats(1, "Datum", ["01.02.2024", "15.02.2024"], ",")
    assert when.date_formats == ("%d.%m.%Y",) and not col.is_money(when)


def test_transaction_rows() -> None:
    assert looks_like_transaction(["2024-01-02", "Shop", "-1.00"])
    assert not looks_like_transaction(["Date", "Description", "Amount"])
    assert not looks_like_transaction(["Von:", "01.01.2018"])
    assert not looks_like_transaction(["2024-01-02", "2024-01-03"])


def test_region_with_preamble_header_and_trailer() -> None:
    records = [
        (1, ["Kontonummer:", "DE12"]),
        (2, []),
        (3, ["Datum", "Text", "Betrag"]),
        (4, ["Pending", "Coffee", "-3,00"]),
        (5, ["02.01.2024", "Shop", "-1,00"]),
        (6, ["03.01.2024", "Shop", "-2,00"]),
        (7, ["Summe", "", "-3,00"]),
    ]
    region = find_region(records)
    assert (region.width, region.header_index, region.data_start) == (3, 2, 3)
    assert region.data == [["02.01.2024", "Shop", "-1,00"], ["03.01.2024", "Shop", "-2,00"]]


def test_region_without_transactions() -> None:
    with pytest.raises(ImportProblem, match="header but no transaction rows"):
        find_region([(1, ["Date", "Description", "Amount"])])
    with pytest.raises(ImportProblem, match="No transactions found"):
        find_region([(1, ["hello", "world"]), (2, ["1", "2"]), (3, ["x"])])
