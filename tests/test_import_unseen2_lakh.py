"""Indian statements group thousands in lakhs and crores ("1,20,000.00"): those are amounts,
and a statement written that way comes from a bank that writes its dates day-first."""

from __future__ import annotations

from data.importer import amounts, detect, iter_rows
from tests.helpers.parsed import dated_amounts


def test_lakh_grouping_reads_as_an_amount() -> None:
    assert amounts.parse("1,20,000.00", ".") == amounts.Amount(12_000_000, "")
    assert amounts.parse("12,36,325.00", ".") == amounts.Amount(123_632_500, "")
    assert amounts.parse("-1,00,00,000", ".") == amounts.Amount(-1_000_000_000, "-")
    # Not a grouping at all: a two-digit group at the end, or a lakh group after thousands.
    assert amounts.parse("1,20,00.00", ".") is None
    assert amounts.parse("1,234,56.00", ".") is None


def test_amount_column_in_lakhs_with_an_indicator() -> None:
    text = (
        "No,Txn Date,Description,Amount,Dr / Cr,Balance\n"
        '1,02-Jul-26,TRANSFER OUT,"50,000.00",DR,"35,551.00"\n'
        '2,04-Jul-26,SALARY IN,"1,20,000.00",CR,"1,55,551.00"\n'
    )
    assert dated_amounts(text) == [("2026-07-02", -5_000_000), ("2026-07-04", 12_000_000)]


def test_lakh_grouping_settles_an_ambiguous_date_order_as_day_first() -> None:
    # Every day is <= 12 and both readings keep the rows sorted: only the notation says India.
    text = (
        "Date,Narration,Withdrawal,Deposit,Closing Balance\n"
        '01/07/26,UPI PAYMENT,350.00,,"1,20,551.00"\n'
        '02/07/26,NEFT CREDIT,,"5,00,000.00","6,20,551.00"\n'
    )
    assert not detect(text.encode()).questions
    assert dated_amounts(text) == [("2026-07-01", -35_000), ("2026-07-02", 50_000_000)]


def test_western_thousands_still_ask_about_an_ambiguous_date_order() -> None:
    text = (
        "Date,Narration,Withdrawal,Deposit,Closing Balance\n"
        '01/07/26,PAYMENT,350.00,,"120,551.00"\n'
        '02/07/26,CREDIT,,"500,000.00","620,551.00"\n'
    )
    assert [q.key for q in detect(text.encode()).questions] == ["date_format"]


def test_summary_figure_under_the_date_column_is_not_a_broken_date() -> None:
    # The statement summary after the table puts the opening balance in the first column.
    text = (
        "Date,Narration,Withdrawal,Deposit,Closing Balance\n"
        '13/09/26,ATM WITHDRAWAL,"10,000.00",,"1,93,043.75"\n'
        '14/09/26,CHARGES,354.00,,"1,92,689.75"\n'
        ",,,,\n"
        "Opening Balance,,Dr Count,Cr Count,Closing Bal\n"
        '"1,20,543.75",,3,1,"1,92,689.75"\n'
    )
    assert dated_amounts(text) == [("2026-09-13", -1_000_000), ("2026-09-14", -35_400)]


def test_a_broken_date_is_still_reported() -> None:
    text = (
        "Date,Narration,Amount\n13/09/2026,SHOP,-10.00\n14/09/2026,SHOP,-1.00\n"
        "15/09/2026,SHOP,-2.00\n31/02/2026,SHOP,-12.00\n"
    )
    rows = list(iter_rows(detect(text.encode())))
    assert [type(r).__name__ for r in rows] == ["ParsedRow"] * 3 + ["RowError"]
