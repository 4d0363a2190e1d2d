"""Sign conventions without a running balance: rows that say which way their money went
(refunds always come back in; on a card, so do repayments) tell a spend-positive statement from
a signed one."""

from __future__ import annotations

from data.importer import ParsedRow, detect, iter_rows
from data.importer.types import INDICATOR, SIGNED, SPEND_POSITIVE


def amounts_of(text: str) -> tuple[str, list[int]]:
    d = detect(text.encode())
    return d.mapping.sign, [r.amount for r in iter_rows(d) if isinstance(r, ParsedRow)]


def test_negative_refunds_among_positive_purchases_mean_spend_positive() -> None:
    text = (
        "Posted,Details,Value\n"
        "2024-02-01,Grocer,31.20\n"
        "2024-02-02,REFUND Shoe shop,-45.00\n"
        "2024-02-03,Bakery,4.10\n"
    )
    assert amounts_of(text) == (SPEND_POSITIVE, [-3120, 4500, -410])


def test_positive_refunds_among_negative_purchases_are_signed() -> None:
    text = (
        "Posted,Details,Value,Card\n"
        "2024-02-01,Grocer,-31.20,****1234\n"
        "2024-02-02,Erstattung Schuhladen,45.00,****1234\n"
        "2024-02-03,Bakery,-4.10,****1234\n"
    )
    sign, amounts = amounts_of(text)
    assert (sign, amounts) == (SIGNED, [-3120, 4500, -410])


def test_card_repayments_count_only_on_a_card() -> None:
    rows = (
        "2024-02-01,Grocer,31.20,{card}\n"
        "2024-02-02,PAYMENT - THANK YOU,-500.00,{card}\n"
        "2024-02-03,Bakery,4.10,{card}\n"
        "2024-02-04,Cinema,12.00,{card}\n"
    )
    card = "Posted,Details,Value,Card\n" + rows.format(card="****1234")
    assert amounts_of(card) == (SPEND_POSITIVE, [-3120, 50000, -410, -1200])
    # The same words on a statement that names no card prove nothing: taken as stated.
    plain = "Posted,Details,Value,Branch\n" + rows.format(card="Main St")
    assert amounts_of(plain) == (SIGNED, [3120, -50000, 410, 1200])


def test_refunds_that_disagree_settle_nothing() -> None:
    text = (
        "Posted,Details,Value\n"
        "2024-02-01,Grocer,31.20\n"
        "2024-02-02,Refund A,-45.00\n"
        "2024-02-03,Refund B,5.00\n"
        "2024-02-04,Bakery,4.10\n"
    )
    assert amounts_of(text) == (SIGNED, [3120, -4500, 500, 410])


def test_the_amount_actually_paid_is_preferred_to_the_order_amount() -> None:
    text = (
        "Date,Item,Order amount,Amount paid\n"
        "2024-02-01,Tea,-5.00,-4.50\n"
        "2024-02-02,Cake,-3.00,-3.00\n"
    )
    assert amounts_of(text) == (SIGNED, [-450, -300])
    chinese = (
        "交易时间,商品,订单金额,实付金额,收/支\n"
        "2024-02-01 10:00:00,茶,5.00,4.50,支出\n"
        "2024-02-02 11:00:00,退款,3.00,3.00,收入\n"
    )
    d = detect(chinese.encode())
    assert d.mapping.amount_column == 3
    assert [r.amount for r in iter_rows(d) if isinstance(r, ParsedRow)] == [-450, 300]


def test_an_in_out_column_with_one_side_and_a_neutral_word() -> None:
    # Payment platforms mark moves between one's own pockets as neither in nor out; a month
    # with no income then shows only 'out' and 'neutral', which still says which way money went.
    text = (
        "交易时间,商品,金额,收/支\n"
        "2024-02-01 10:00:00,茶,5.00,支出\n"
        "2024-02-02 11:00:00,转账,300.00,不计收支\n"
        "2024-02-03 12:00:00,蛋糕,3.50(已退款1.00),支出\n"
    )
    d = detect(text.encode())
    assert d.mapping.sign == INDICATOR
    assert [r.amount for r in iter_rows(d) if isinstance(r, ParsedRow)] == [-500, 30000, -350]
    # One value throughout with no neutral word ("Paid" on every row) is a status, not a side.
    status = "Date,Item,Amount,Status\n2024-02-01,Tea,5.00,paid\n2024-02-02,Cake,3.50,paid\n"
    assert detect(status.encode()).mapping.sign != INDICATOR
