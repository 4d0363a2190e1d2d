"""Norwegian DNB exports name their money columns "Ut fra konto" / "Inn på konto" (out of / into
the account): "konto" there is not an account number, and the pair says which way money went."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_out_of_and_into_the_account_columns_are_a_debit_credit_pair() -> None:
    text = (
        "Dato;Forklaring;Rentedato;Ut fra konto;Inn på konto\n"
        "02.01.2026;Butikk;02.01.2026;249,90;\n"
        "03.01.2026;Lønn;03.01.2026;;35 000,00\n"
    )
    assert dated_amounts(text) == [("2026-01-02", -24990), ("2026-01-03", 3_500_000)]


def test_an_account_number_column_is_still_not_money() -> None:
    text = (
        "Dato;Konto;Beskrivelse;Beløp\n"
        "02.01.2026;12345678901;Butikk;-249,90\n"
        "03.01.2026;12345678901;Lønn;35 000,00\n"
    )
    assert dated_amounts(text) == [("2026-01-02", -24990), ("2026-01-03", 3_500_000)]
