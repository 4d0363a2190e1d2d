"""A Japanese card statement names the card's user (利用者: 本人, 家族), as Amex names the card
member: positive purchases are then spending, and a returned-goods line (ヘンピン) money in."""

from __future__ import annotations

from tests.helpers.parsed import dated_amounts


def test_card_users_column_marks_positive_purchases_as_spending() -> None:
    text = (
        "利用日,利用店名・商品名,利用者,支払方法,利用金額\n"
        "2025/04/02,書店,本人,1回払い,1800\n"
        "2025/04/09,コーヒー,家族,1回払い,450\n"
        "2025/04/11,書店 ヘンピン,本人,1回払い,▲600\n"
    )
    assert dated_amounts(text) == [
        ("2025-04-02", -180000),
        ("2025-04-09", -45000),
        ("2025-04-11", 60000),
    ]


def test_card_users_column_with_purchases_only() -> None:
    text = (
        "利用日,利用店名・商品名,利用者,支払方法,利用金額\n"
        "2025/04/02,書店,本人,1回払い,1800\n"
        "2025/04/09,コーヒー,家族,1回払い,450\n"
    )
    assert dated_amounts(text) == [("2025-04-02", -180000), ("2025-04-09", -45000)]
