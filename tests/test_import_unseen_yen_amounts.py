"""Yen amounts of six digits or more under an amount or balance header are money, not
identifiers (bare long numbers are taken for account or reference numbers otherwise)."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_six_digit_yen_amounts_under_money_headers_are_money() -> None:
    text = (
        "取引日,入払区分,金額,残高,摘要\n"
        "2025/3/4,出金,2500,120500,スーパー\n"
        "2025/3/25,入金,250000,370500,給与\n"
        "2025/3/28,出金,180000,190500,家賃\n"
    )
    assert dated_amounts(text) == [
        ("2025-03-04", -250000),
        ("2025-03-25", 25000000),
        ("2025-03-28", -18000000),
    ]


def test_withdrawal_and_deposit_columns_in_japanese() -> None:
    text = (
        "年月日,お引出し,お預入れ,お取り扱い内容,残高\n"
        "2025/3/4,2500,,スーパー,120500\n"
        "2025/3/25,,250000,給与,370500\n"
        "2025/3/28,180000,,家賃,190500\n"
    )
    assert dated_amounts(text) == [
        ("2025-03-04", -250000),
        ("2025-03-25", 25000000),
        ("2025-03-28", -18000000),
    ]
