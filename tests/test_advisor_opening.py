"""Opening balances from statement lines, on hand-computed cases and on a real ledger import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data.ledger import Ledger, TxFilter
from sidecars.advisor.opening import opening_balance

D1, D2, D3 = dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)
DEMO = Path(__file__).resolve().parent.parent / "data" / "samples" / "demo_current_account.csv"


def test_no_stated_balance_means_no_opening() -> None:
    assert opening_balance([]) is None
    assert opening_balance([(D1, -100, None), (D2, 50, None)]) is None


@pytest.mark.parametrize("newest_first", [False, True])
def test_opening_is_the_stated_balance_less_the_amounts_up_to_it(newest_first: bool) -> None:
    # Started at 5000.00: -100.00 -> 4900.00, then two lines on one day -> 4850.00 -> 4890.00.
    rows = [(D1, -10000, 490000), (D2, -5000, 485000), (D2, 4000, 489000)]
    assert opening_balance(rows[::-1] if newest_first else rows) == 500000


def test_a_later_statement_line_wins_over_an_earlier_one() -> None:
    # A -100.00 line is missing from the import between D1 and D2: anchoring on the last stated
    # line makes opening + the imported sum equal the bank's latest figure (4770.00).
    rows = [(D1, -10000, 490000), (D2, -3000, 477000), (D3, -500, None)]
    opening = opening_balance(rows)
    assert opening == 490000
    assert opening + sum(a for _, a, _ in rows[:2]) == 477000


def test_a_day_no_order_fits_is_read_in_the_order_given() -> None:
    # 990.00 after -10.00, then a line without a balance: no day-end matches a stated balance.
    assert opening_balance([(D1, -1000, 99000), (D1, -500, None)]) == 100000


def test_the_demo_statement_imported_into_a_real_ledger(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        ledger.import_file(DEMO, account="Current")
        txns = list(ledger.iter_transactions(TxFilter(account="Current"), order="date_asc"))
        summed, _ = ledger.account_balances()["Current"]
    opening = opening_balance((t.date, t.amount, t.balance) for t in txns)
    assert opening is not None and opening != 0
    last_day = max(t.date for t in txns if t.balance is not None)
    stated_then = {t.balance for t in txns if t.date == last_day}
    # The ledger's sum plus the opening is the bank's own balance at its latest line.
    later = sum(t.amount for t in txns if t.date > last_day)
    assert opening + summed - later in stated_then


def test_the_desktop_sends_each_accounts_opening_to_the_advisor(tmp_path: Path) -> None:
    from data.money import to_minor
    from desktop.forecasting import advice_params

    card = DEMO.with_name("demo_credit_card.csv")  # no balance column: no opening to send
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        ledger.import_file(DEMO, account="Current", currency="GBP")
        ledger.import_file(card, account="Card", currency="GBP")
        txns = list(ledger.iter_transactions(TxFilter(account="Current"), order="date_asc"))
        forecast = {"series": [{"kind": "net", "points": []}], "history": {"months": 12}}
        params = advice_params(ledger, forecast, "GBP", today=D1)
    assert params is not None
    rows = {row["account"]: row for row in params["balances"]}
    assert rows["Card"]["opening"] is None
    expected = opening_balance((t.date, t.amount, t.balance) for t in txns)
    assert expected is not None
    assert to_minor(rows["Current"]["opening"], "GBP") == expected


def test_statement_lines_are_the_accounts_rows_oldest_first(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        ledger.import_file(DEMO, account="Current")
        ledger.import_file(DEMO.with_name("demo_credit_card.csv"), account="Card")
        txns = list(ledger.iter_transactions(TxFilter(account="Current"), order="date_asc"))
        lines = list(ledger.statement_lines("Current"))
    assert lines == [(t.date, t.amount, t.balance) for t in txns]
    assert any(balance is not None for _, _, balance in lines)


def test_rows_in_another_currency_are_not_part_of_the_opening(tmp_path: Path) -> None:
    """A multi-currency statement's row in another currency is not the account's money: it
    worked into the opening balance as if its minor units were the account's."""
    statement = tmp_path / "multi.csv"
    statement.write_text(
        "Date,Description,Amount,Currency,Balance\n"
        "2024-03-01,Coffee,-3.00,GBP,97.00\n"
        "2024-03-02,Hotel Paris,-120.00,EUR,97.00\n"
        "2024-03-03,Pay,1000.00,GBP,1097.00\n",
        encoding="utf-8",
    )
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        ledger.import_file(statement, account="Current", currency="GBP")
        lines = list(ledger.statement_lines("Current"))
    assert [amount for _, amount, _ in lines] == [-300, 100000]
    assert opening_balance(lines) == 10000
