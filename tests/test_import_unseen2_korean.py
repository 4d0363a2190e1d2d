"""Korean bank exports: the withdrawn/deposited column pair as KB and Woori name it
("찾으신금액" / "맡기신금액"), and amounts written with the won sign in words ("12,300원")."""

from __future__ import annotations

from data.importer import amounts
from tests.helpers.parsed import dated_amounts


def test_withdrawn_and_deposited_columns_are_a_debit_credit_pair() -> None:
    text = (
        "거래일시,적요,찾으신금액,맡기신금액,잔액\n"
        '2025.10.20 10:15:00,이체,0,"900,000","1,200,000"\n'
        '2025.10.21 09:00:00,임대료,"100,000",0,"1,100,000"\n'
    )
    assert dated_amounts(text) == [("2025-10-20", 90_000_000), ("2025-10-21", -10_000_000)]


def test_won_written_after_the_number_is_a_currency() -> None:
    assert amounts.parse("12,300원", ".") == amounts.Amount(1_230_000, "")
    assert amounts.parse("1,900,000 원", ".") == amounts.Amount(190_000_000, "")
    text = (
        "거래일시,적요,출금액,입금액,내용\n"
        '2026-09-01 13:45:12,체크카드,"12,300원",0,편의점\n'
        '2026-09-02 09:00:00,급여,0,"1,900,000원",회사\n'
    )
    assert dated_amounts(text) == [("2026-09-01", -1_230_000), ("2026-09-02", 190_000_000)]
