"""One rule for transfers between the person's own accounts (data.transfers), and the pages that
leave them out: the forecaster's history and the insights' input, on a real SQLite ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data.ledger import Ledger, TxFilter
from data.transfers import is_transfer
from desktop.forecasting import forecast_params
from desktop.insighting import ledger_rows


@pytest.mark.parametrize(
    ("description", "category", "expected"),
    [
        ("ONLINE PAYMENT TO CREDIT CARD 4921", None, True),
        ("PAYMENT - THANK YOU", None, True),
        ("Transfer to Savings 12", None, True),
        ("TRANSFER FROM SAVINGS", None, True),
        ("ANYTHING AT ALL", "Transfers", True),
        ("ANYTHING AT ALL", "Own transfer", True),
        # a payment to someone else by bank transfer is spending
        ("BANK TRANSFER TO M PATEL RENT", None, False),
        ("BANK TRANSFER TO M PATEL RENT", "Rent", False),
        ("TESCO STORES 3297", "Groceries", False),
        ("", None, False),
    ],
)
def test_is_transfer(description: str, category: str | None, expected: bool) -> None:
    assert is_transfer(description, category) is expected


STATEMENT = """Date,Description,Amount
2026-01-01,BANK TRANSFER TO M PATEL RENT,-1450.00
2026-01-02,ONLINE PAYMENT TO CREDIT CARD 4921,-300.00
2026-01-03,TESCO STORES 3297,-42.10
2026-01-04,SAVINGS MOVE,-100.00
2026-01-05,SALARY ACME LTD,2500.00
"""


@pytest.fixture
def ledger(tmp_path: Path):
    statement = tmp_path / "current.csv"
    statement.write_text(STATEMENT, encoding="utf-8")
    with Ledger.open(tmp_path / "ledger.sqlite") as opened:
        opened.import_file(statement, "Current", currency="GBP")
        moved = opened.transactions(TxFilter(text="SAVINGS MOVE"))
        opened.set_category([t.id for t in moved], "Transfers")
        yield opened


def test_the_forecast_leaves_out_transfers_but_not_rent_paid_by_transfer(ledger: Ledger) -> None:
    params, notes = forecast_params(ledger, "GBP", today=dt.date(2026, 1, 31))
    amounts = sorted(row["amount"] for row in params["transactions"])
    assert amounts == ["-1450.00", "-42.10", "2500.00"]
    assert "2 transfer(s) between accounts were left out" in notes


def test_insights_leave_out_transfers_but_not_rent_paid_by_transfer(ledger: Ledger) -> None:
    rows = ledger_rows(ledger)
    assert [row["description"] for row in rows] == [
        "BANK TRANSFER TO M PATEL RENT",
        "TESCO STORES 3297",
        "SALARY ACME LTD",
    ]


def test_the_dashboard_totals_use_the_same_rule(ledger: Ledger) -> None:
    months = ledger.monthly_totals(
        "GBP", dt.date(2026, 1, 1), dt.date(2026, 2, 1), exclude_transfers=True
    )
    assert [(m.income, m.expenses) for m in months] == [(250_000, 145_000 + 4_210)]
