"""Which column is the amount in a headerless export with several money columns: the one
filled on every row, and a signed one before unsigned ones (balances, prices), when no running
balance can say."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_a_price_filled_on_few_rows_is_not_the_amount() -> None:
    # A brokerage history: quantity and price only on trades, the net amount on every row.
    text = (
        "2022-03-01,Dividend,ABC,10,,20.50\n"
        "2022-03-02,Buy,XYZ,5,12.40,-62.00\n"
        "2022-03-03,Deposit,,,,500.00\n"
        "2022-03-04,Interest,,,,1.25\n"
        "2022-03-05,Fee,,,,-3.00\n"
    )
    assert dated_amounts(text) == [
        ("2022-03-01", 2050),
        ("2022-03-02", -6200),
        ("2022-03-03", 50000),
        ("2022-03-04", 125),
        ("2022-03-05", -300),
    ]


def test_signed_amount_after_two_unsigned_balances() -> None:
    # A Dutch tab export: balance before, balance after, then the signed amount.
    text = (
        "111\tEUR\t20210102\t40,00\t30,00\t-10,00\tShop\n"
        "111\tEUR\t20210103\t30,00\t25,50\t-4,50\tCafe\n"
    )
    assert dated_amounts(text) == [("2021-01-02", -1000), ("2021-01-03", -450)]
