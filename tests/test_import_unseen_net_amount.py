"""Payment-platform exports in Spanish and German: the net amount ('Neto', 'Netto') is what
moved, not the gross, the fee, or a shipping or tax amount that is zero on most rows."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_spanish_net_column_with_a_balance() -> None:
    text = (
        "Fecha,Descripción,Divisa,Bruto,Comisión,Neto,Saldo,Importe de envío,Impuesto de ventas\n"
        '14/3/2021,Cobro,EUR,"20,00","-0,90","19,10","119,10","0,00","0,00"\n'
        '15/3/2021,Pago,EUR,"-5,00","0,00","-5,00","114,10","0,00","0,00"\n'
        '16/3/2021,Cobro,EUR,"10,00","-0,55","9,45","123,55","0,00","0,00"\n'
    )
    assert dated_amounts(text) == [("2021-03-14", 1910), ("2021-03-15", -500), ("2021-03-16", 945)]


def test_german_netto_before_brutto_without_a_balance() -> None:
    text = (
        "Datum;Name;Brutto;Gebühr;Netto;Währung\n"
        "14.03.2021;Laden;-20,00;0,00;-20,00;EUR\n"
        "15.03.2021;Kunde;30,00;-1,20;28,80;EUR\n"
    )
    assert dated_amounts(text) == [("2021-03-14", -2000), ("2021-03-15", 2880)]
