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


def _rows(text: str, currency: str | None) -> list[ParsedRow | RowError]:
    return list(iter_rows(detect(text.encode(), currency=currency)))


def _parsed(text: str, currency: str | None) -> list[ParsedRow]:
    items = _rows(text, currency)
    assert all(isinstance(i, ParsedRow) for i in items), items
    return [i for i in items if isinstance(i, ParsedRow)]


def test_amounts_are_read_in_the_minor_units_of_the_account_currency() -> None:
    yen = 'Date,Description,Amount\n2024-01-02,Ramen,-1500\n2024-01-03,Pay,"250,000"\n'
    assert [(r.amount, r.currency) for r in _parsed(yen, "JPY")] == [(-1500, None), (250000, None)]
    assert [r.amount for r in _parsed(yen, "USD")] == [-150000, 25000000]
    assert [r.amount for r in _parsed(yen, None)] == [-150000, 25000000]
    # Three decimals are a decimal point for dinars, a thousands separator for most others.
    dinar = (
        "Date,Description,Amount,Balance\n"
        "2024-01-02,Fee,-1.250,98.750\n2024-01-03,Pay,12.345,111.095\n"
    )
    dinars = _parsed(dinar, "KWD")
    assert [(r.amount, r.balance) for r in dinars] == [(-1250, 98750), (12345, 111095)]


def test_a_fraction_the_account_currency_does_not_have_is_a_bad_row() -> None:
    text = "Date,Description,Amount\n2024-01-02,Ramen,-1500.5\n" + "".join(
        f"2024-01-{day:02d},Tea,-300\n" for day in range(3, 13)
    )
    items = _rows(text, "JPY")
    assert items[0] == RowError(2, "amount '-1500.5' is not an amount")
    assert [r.amount for r in items[1:] if isinstance(r, ParsedRow)] == [-300] * 10


def test_a_saved_profile_takes_the_account_currency_given() -> None:
    text = "Date,Description,Amount\n2024-01-02,Ramen,-1500\n"
    saved = detect(text.encode()).mapping  # saved while the account was in cents
    again = detect(text.encode(), profile=saved, currency="JPY")
    assert [r.amount for r in iter_rows(again) if isinstance(r, ParsedRow)] == [-1500]
