"""Turkish card statements list purchases as positive amounts; a refund says "İADE" and the
card payment "KARTI ÖDEMESİ", both negative: spending is positive, as on other card statements."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_refund_and_payment_words_turn_a_card_statement_spend_positive() -> None:
    text = (
        "Banka Kredi Kartı Ekstresi\n"
        "Kart No;**** **** **** 4321\n"
        "\n"
        "İşlem Tarihi;Açıklama;Tutar\n"
        "12/08/2026;MARKET ISTANBUL TR;1.234,56\n"
        "13/08/2026;AKARYAKIT KOCAELI TR;890,00\n"
        "14/08/2026;DIJITAL ABONELIK;229,99\n"
        "15/08/2026;KREDI KARTI ODEMESI;-2.000,00\n"
        "16/08/2026;MAGAZA IADE;-45,90\n"
    )
    assert dated_amounts(text) == [
        ("2026-08-12", -123456),
        ("2026-08-13", -89000),
        ("2026-08-14", -22999),
        ("2026-08-15", 200000),
        ("2026-08-16", 4590),
    ]


def test_a_word_containing_iade_is_not_a_refund() -> None:
    # "Triade" is a shop name, not a refund: an ordinary signed account statement stays signed.
    text = (
        "Datum;Omschrijving;Bedrag\n"
        "12-08-2026;TRIADE BOEKHANDEL;-12,50\n"
        "13-08-2026;SALARIS;2.000,00\n"
        "14-08-2026;SUPERMARKT;-45,90\n"
    )
    assert dated_amounts(text) == [
        ("2026-08-12", -1250),
        ("2026-08-13", 200000),
        ("2026-08-14", -4590),
    ]
