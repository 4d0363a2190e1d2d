"""Japanese statements write a negative amount with a triangle in front: a card's refund
"▲1,000" is minus one thousand."""

from __future__ import annotations

from data.importer.amounts import parse
from tests.helpers.parsed import dated_amounts


def test_triangle_minus_reads_as_negative() -> None:
    assert parse("▲1,000", ".").minor == -100000  # type: ignore[union-attr]
    assert parse("△250", ".").minor == -25000  # type: ignore[union-attr]
    assert parse("1,000▲", ".") is None  # only in front, as it is written


def test_a_triangle_refund_on_a_card_statement() -> None:
    text = (
        "利用日,利用店名・商品名,支払方法,利用金額\n"
        "2025/04/02,書店,1回払い,-1800\n"
        "2025/04/11,書店 ヘンピン,1回払い,▲600\n"
    )
    assert dated_amounts(text) == [("2025-04-02", -180000), ("2025-04-11", -60000)]
