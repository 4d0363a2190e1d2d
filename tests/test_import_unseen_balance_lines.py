"""Opening and closing balance lines inside the table: Italian ones ("Saldo iniziale",
"Saldo finale"), ones whose label starts with punctuation, and ones whose figure does not read
as an amount are not transactions and do not refuse the file."""

from __future__ import annotations

from data.importer import ParsedRow, RowError, detect, iter_rows


def _read(text: str) -> list[tuple[str, int] | str]:
    out: list[tuple[str, int] | str] = []
    for row in iter_rows(detect(text.encode())):
        out.append(row.reason if isinstance(row, RowError) else (row.date.isoformat(), row.amount))
        assert isinstance(row, (ParsedRow, RowError))
    return out


def test_italian_opening_and_closing_balances_are_not_transactions() -> None:
    text = (
        "Data;Addebiti;Accrediti;Descrizione\n"
        "01/03/2022;;1000,00;Saldo iniziale\n"
        "02/03/2022;12,50;;Supermercato\n"
        "15/03/2022;;800,00;Stipendio\n"
        "31/03/2022;;1787,50;Saldo finale\n"
    )
    assert _read(text) == [("2022-03-02", -1250), ("2022-03-15", 80000)]


def test_a_balance_label_after_punctuation_is_still_a_balance_line() -> None:
    text = (
        "Date,Debit,Credit,Details\n"
        "2022-04-01,9.99,,Music subscription\n"
        "2022-04-03,,20.00,Refund from shop\n"
        "2022-04-30,,110.01,| Closing balance\n"
    )
    assert _read(text) == [("2022-04-01", -999), ("2022-04-03", 2000)]


def test_a_balance_line_whose_figure_is_garbled_is_skipped_not_an_error() -> None:
    text = (
        "Date,Debit,Credit,Details\n"
        "2022-05-01,,500.00*,Opening balance\n"
        "2022-05-02,4.00,,Coffee\n"
        "2022-05-03,,50.00,Transfer in\n"
    )
    assert _read(text) == [("2022-05-02", -400), ("2022-05-03", 5000)]


def test_a_garbled_amount_on_a_transaction_is_still_an_error() -> None:
    text = (
        "Date,Debit,Credit,Details\n"
        "2022-05-01,,500.00*,Salary\n"
        "2022-05-02,4.00,,Coffee\n"
        "2022-05-03,,50.00,Transfer in\n"
    )
    got = _read(text)
    assert any(isinstance(item, str) and "500.00*" in item for item in got)
