"""Which table lines are transactions: money without a date is a bad row (it would be lost),
unless the row says it is not booked yet; lines that move no money are not transactions."""

from __future__ import annotations

from data.importer import ParsedRow, RowError, detect, iter_rows, preview


def items_of(text: str) -> list[ParsedRow | RowError]:
    return list(iter_rows(detect(text.encode())))


def test_money_without_a_date_is_a_bad_row() -> None:
    text = (
        "Date,Description,Amount\n"
        "2024-01-02,Tea,-1.50\n"
        ",Lost purchase,-9.99\n"
        "2024-01-03,Cake,-2.50\n"
        ",Another,4.00\n"
    )
    items = items_of(text)
    assert [i for i in items if isinstance(i, RowError)] == [
        RowError(3, "it has an amount but no date"),
        RowError(5, "it has an amount but no date"),
    ]
    assert [i.line for i in items if isinstance(i, ParsedRow)] == [2, 4]


def test_money_without_a_date_in_debit_credit_columns_is_a_bad_row() -> None:
    text = (
        "Date,Description,Debit,Credit,Balance\n"
        "2024-01-02,Tea,1.50,,98.50\n"
        "2024-01-03,Pay,,50.00,148.50\n"
        ",Refund,,3.00,151.50\n"
        "2024-01-04,Cake,2.50,,149.00\n"
    )
    assert [i for i in items_of(text) if isinstance(i, RowError)] == [
        RowError(4, "it has an amount but no date")
    ]


def test_rows_not_booked_yet_may_lack_a_date() -> None:
    text = (
        "Started,Completed,Description,Amount,State\n"
        "2024-01-01,2024-01-02,Tea,-1.50,COMPLETED\n"
        "2024-01-03,,Cafe,-4.00,Pending\n"
        "2024-01-03,,Shop,-7.00,DECLINED\n"
        "2024-01-04,2024-01-05,Cake,-2.50,COMPLETED\n"
    )
    items = items_of(text)
    assert all(isinstance(i, ParsedRow) for i in items)
    assert [i.amount for i in items if isinstance(i, ParsedRow)] == [-150, -250]


def test_lines_that_move_no_money_are_not_transactions() -> None:
    text = (
        "Date,Description,Amount\n"
        "2024-01-02,Tea,-1.50\n"
        ",  continued description of the tea,\n"  # a description's second line
        ",Zero line,0.00\n"
        "2024-01-03,Shares moved in (no cash),\n"
        "Total,,-1.50\n"
    )
    p = preview(detect(text.encode()))
    assert not p.errors
    assert [r.amount for r in p.rows] == [-150]
    assert "3 without a date, 1 without an amount" in p.recognised[-1]
