"""A signed amount beside a debit/credit column: when every debit is positive and every credit
negative, the statement lists spending as positive (a card's export) and the signs are turned;
when the column and the signs disagree row by row, the signs stand."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_debits_positive_and_credits_negative_are_spending_positive() -> None:
    text = (
        "2021/05/03,DEBIT,Bakery,4.20\n"
        "2021/05/04,DEBIT,Fuel,61.00\n"
        "2021/05/06,CREDIT,Payment received,-100.00\n"
        "2021/05/07,DEBIT,Books,18.99\n"
    )
    assert dated_amounts(text) == [
        ("2021-05-03", -420),
        ("2021-05-04", -6100),
        ("2021-05-06", 10000),
        ("2021-05-07", -1899),
    ]


def test_debits_negative_and_credits_positive_keep_their_signs() -> None:
    text = (
        "2021/05/03,DEBIT,Bakery,-4.20\n"
        "2021/05/04,DEBIT,Fuel,-61.00\n"
        "2021/05/06,CREDIT,Salary,900.00\n"
    )
    assert dated_amounts(text) == [
        ("2021-05-03", -420),
        ("2021-05-04", -6100),
        ("2021-05-06", 90000),
    ]


def test_signs_that_disagree_with_the_column_stand() -> None:
    # A reversal booked as a debit of a negative amount: the signs say more than the column.
    text = (
        "2021/05/03,DEBIT,Bakery,-4.20\n"
        "2021/05/04,DEBIT,Reversal,3.00\n"
        "2021/05/06,CREDIT,Salary,900.00\n"
        "2021/05/07,CREDIT,Chargeback,-10.00\n"
    )
    assert dated_amounts(text) == [
        ("2021-05-03", -420),
        ("2021-05-04", 300),
        ("2021-05-06", 90000),
        ("2021-05-07", -1000),
    ]
