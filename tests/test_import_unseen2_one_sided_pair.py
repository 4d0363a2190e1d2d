"""A debit/credit pair one of whose columns is empty throughout the file (a statement with no
deposits in it): the filled column still says which way its money went."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_withdrawals_only_statement_reads_them_as_money_out() -> None:
    text = "Date,Description,Debit,Credit\n15/08/2026,SHOP,100.00,\n16/08/2026,RENT,50.00,\n"
    assert dated_amounts(text) == [("2026-08-15", -10000), ("2026-08-16", -5000)]


def test_one_row_with_an_empty_credit_column_and_a_balance() -> None:
    # One row: the balance has no step to check, only the headers say which way it went.
    text = "Fecha,Descripción,Cargo,Abono,Saldo\n15/08/2026,AMEX MADRID,100,,900\n"
    assert dated_amounts(text) == [("2026-08-15", -10000)]


def test_deposits_only_statement_reads_them_as_money_in() -> None:
    text = (
        "Date,Description,Withdrawal,Deposit\n15/08/2026,SALARY,,2500.00\n16/08/2026,GIFT,,50.00\n"
    )
    assert dated_amounts(text) == [("2026-08-15", 250000), ("2026-08-16", 5000)]
