"""The table region of headerless exports whose rows are not all the same width: a transaction
on the first line must not be taken for a preamble because it has a field or two more."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_headerless_first_row_wider_than_the_rest_is_a_transaction() -> None:
    # Old Dutch exports put a note in extra fields of some rows only.
    text = (
        '20230304,Shop,NL01,Card,BA,Af,"12,34",Betaalautomaat,Extra one,Extra two\n'
        '20230302,Salary,NL02,Transfer,GT,Bij,"1500,00",Note\n'
        '20230301,Grocer,NL03,Card,BA,Af,"45,60",Note\n'
    )
    assert sorted(dated_amounts(text)) == [
        ("2023-03-01", -4560),
        ("2023-03-02", 150000),
        ("2023-03-04", -1234),
    ]


def test_headerless_first_row_narrower_than_the_rest_is_a_transaction() -> None:
    text = (
        "2023-05-01;Coffee;-3,20\n"
        "2023-05-02;Books;-12,00;note\n"
        "2023-05-03;Refund;5,00;note\n"
        "2023-05-04;Lunch;-8,50;note\n"
    )
    assert dated_amounts(text) == [
        ("2023-05-01", -320),
        ("2023-05-02", -1200),
        ("2023-05-03", 500),
        ("2023-05-04", -850),
    ]


def test_preamble_line_with_a_date_and_a_number_stays_out() -> None:
    # A headed table: the title line above the header is not a transaction.
    text = (
        "Statement 2023-06-30;Account 12345678\n"
        "Date;Description;Amount\n"
        "2023-06-01;Rent;-700,00\n"
        "2023-06-02;Pay;1500,00\n"
    )
    assert dated_amounts(text) == [("2023-06-01", -70000), ("2023-06-02", 150000)]


def test_headerless_title_line_with_a_date_and_a_number_stays_out() -> None:
    text = (
        "Statement of 30.06.2023;12345678\n"
        "01.06.2023;Rent;-700,00\n"
        "02.06.2023;Pay;1500,00\n"
        "03.06.2023;Shop;-20,00\n"
    )
    assert dated_amounts(text) == [
        ("2023-06-01", -70000),
        ("2023-06-02", 150000),
        ("2023-06-03", -2000),
    ]
