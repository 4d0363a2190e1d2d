"""A date column headed in a language whose banks all write the day first ("Fecha", "Data",
"Datum") settles day/month ambiguity the way a decimal comma or a euro column does; an English
"Date" says nothing, so the question stays."""

from __future__ import annotations

from data.importer import detect
from tests.helpers.parsed import dated_amounts


def test_portuguese_date_header_reads_day_first() -> None:
    # Every day <= 12 and both readings keep the rows sorted; no currency, a decimal point.
    text = (
        "Data,Valor,Identificador,Descrição\n"
        "01/03/2026,-50.00,id-1,Padaria\n"
        "02/03/2026,-20.00,id-2,Mercado\n"
        "05/03/2026,100.00,id-3,Pix recebido\n"
    )
    assert not detect(text.encode()).questions
    assert dated_amounts(text) == [
        ("2026-03-01", -5000),
        ("2026-03-02", -2000),
        ("2026-03-05", 10000),
    ]


def test_spanish_date_header_reads_day_first() -> None:
    text = (
        "Fecha,Descripción,Cargo,Abono,Saldo\n"
        "05/01/2026,SPEI RECIBIDO,,100.00,100.00\n"
        "06/01/2026,Pago,50.00,,50.00\n"
    )
    assert not detect(text.encode()).questions
    assert dated_amounts(text) == [("2026-01-05", 10000), ("2026-01-06", -5000)]


def test_english_date_header_still_asks() -> None:
    text = (
        "Date,Description,Debit,Credit,Balance\n"
        "05/01/2026,TRANSFER IN,,100.00,100.00\n"
        "06/01/2026,PAYMENT,50.00,,50.00\n"
    )
    assert [q.key for q in detect(text.encode()).questions] == ["date_format"]


def test_us_dollars_outrank_the_header_language() -> None:
    # A Spanish-language export from an American bank: the dollar column says month-first.
    text = "Fecha,Descripción,Monto (USD)\n05/01/2026,DEPOSITO,100.00\n06/01/2026,PAGO,-50.00\n"
    assert dated_amounts(text) == [("2026-05-01", 10000), ("2026-06-01", -5000)]
