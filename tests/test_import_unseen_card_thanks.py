"""A card export that says it is one only by listing a transaction date and a posting date
(Discover's "Trans. Date,Post Date"): its issuer's "payment - thank you" lines are money in, so
when they are the negative rows among positive purchases the amounts count spending as
positive. One date column, or a booking date beside a value date, says no such thing."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_negative_thank_you_payment_among_positive_purchases_on_a_two_date_export() -> None:
    text = (
        "Trans. Date,Post Date,Description,Amount,Category\n"
        "03/14/2023,03/15/2023,BOOKSHOP 12 SPRINGFIELD,25.00,Merchandise\n"
        "03/16/2023,03/16/2023,PAYMENT - THANK YOU,-300.00,Payments and Credits\n"
        "03/20/2023,03/21/2023,CAFE 9 SPRINGFIELD,7.40,Restaurants\n"
    )
    assert dated_amounts(text) == [
        ("2023-03-14", -2500),
        ("2023-03-16", 30000),
        ("2023-03-20", -740),
    ]


def test_positive_thank_you_payment_among_negative_purchases_keeps_signs() -> None:
    text = (
        "Transaction Date,Post Date,Description,Amount\n"
        "03/14/2023,03/15/2023,BOOKSHOP 12 SPRINGFIELD,-25.00\n"
        "03/16/2023,03/16/2023,Payment Thank You-Mobile,300.00\n"
        "03/20/2023,03/21/2023,CAFE 9 SPRINGFIELD,-7.40\n"
    )
    assert dated_amounts(text) == [
        ("2023-03-14", -2500),
        ("2023-03-16", 30000),
        ("2023-03-20", -740),
    ]


def test_booking_and_value_dates_with_mostly_positive_rows_are_taken_as_stated() -> None:
    text = (
        "Transaction date,Value date,Description,Amount\n"
        "2023-03-14,2023-03-14,SALARY,2000.00\n"
        "2023-03-15,2023-03-16,CARD CO AUTOPAY PYMT,-300.00\n"
        "2023-03-16,2023-03-16,INTEREST,1.20\n"
        "2023-03-17,2023-03-17,TRANSFER IN,50.00\n"
        "2023-03-18,2023-03-18,SALE OF BIKE,120.00\n"
    )
    assert dated_amounts(text) == [
        ("2023-03-14", 200000),
        ("2023-03-15", -30000),
        ("2023-03-16", 120),
        ("2023-03-17", 5000),
        ("2023-03-18", 12000),
    ]
