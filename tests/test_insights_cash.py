"""Cash is no bill: withdrawals at a cash machine never make a recurring payment or a duplicate,
whatever the bank calls them, while bills whose names merely contain the letters stay bills."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sidecars.insights.cadence import add_months
from sidecars.insights.cash import is_cash
from sidecars.insights.service import anomalies, insights, recurring


def tx(ident: str, date: dt.date, description: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "date": date.isoformat(),
        "description": description,
        "amount": amount,
        **extra,
    }


# How banks in several countries write a withdrawal at a cash machine.
WITHDRAWALS = [
    "CASH WITHDRAWAL LINK ATM",  # UK current account (the demo's own)
    "ATM WITHDRAWAL 0423 MAIN ST AUSTIN TX",  # US checking
    "Withdrawal ATM #000123 CHASE BANK",  # US, "withdrawal" first
    "CASHPOINT HALIFAX 12MAR",  # UK
    "BANKOMAT 02950284 K2 21.09. 11:50",  # Austria (Raiffeisen)
    "Bargeldauszahlung GA NR00001234 BLZ 50010517",  # Germany (Sparkasse)
    "GELDAUTOMAAT ING AMSTERDAM",  # Netherlands
    "RETRAIT DAB 12/03 PARIS 11",  # France
    "REINTEGRO EN CAJERO 4B",  # Spain
    "PRELIEVO CONTANTI",  # Italy
    "Снятие наличных в банкомате",  # Russia
    "ATM取现",  # China
]


@pytest.mark.parametrize("description", WITHDRAWALS)
def test_a_yearly_withdrawal_of_the_same_sum_is_no_yearly_payment(description: str) -> None:
    # Sixty in cash early every January: the same sum within days a year apart, which the
    # cadence alone reads as a yearly payment.
    rows = [
        tx("c1", dt.date(2025, 1, 7), description, "-60.00"),
        tx("c2", dt.date(2026, 1, 10), description, "-60.00"),
    ]
    assert recurring({"transactions": rows}) == {"recurring": []}


def test_monthly_withdrawals_are_not_a_subscription_but_the_bill_beside_them_is() -> None:
    start = dt.date(2025, 1, 5)
    rows = [
        tx(f"a{i}", add_months(start, i), "CASH WITHDRAWAL LINK ATM", "-40.00") for i in range(8)
    ]
    rows += [
        tx(f"n{i}", add_months(dt.date(2025, 1, 7), i), "NETFLIX.COM", "-12.99") for i in range(8)
    ]
    found = recurring({"transactions": rows})["recurring"]
    assert [(s["merchant"], s["cadence"], s["amount"]) for s in found] == [
        ("Netflix.com", "monthly", "-12.99")
    ]


def test_a_category_of_cash_is_cash_whatever_the_description() -> None:
    # The categorizer files a machine the bank names only by its network and number under Cash.
    rows = [
        tx(
            f"l{i}",
            add_months(dt.date(2025, 2, 3), i),
            "LINK 8871 CO-OP",
            "-30.00",
            category="Cash",
        )
        for i in range(6)
    ]
    assert recurring({"transactions": rows}) == {"recurring": []}


def test_two_equal_withdrawals_in_a_week_are_no_duplicate_charge() -> None:
    rows = [
        tx(f"s{i}", dt.date(2025, 3, 1 + 2 * i), "TESCO STORES 3297", f"-{20 + 7 * i}.15")
        for i in range(10)
    ]
    rows += [
        tx("w1", dt.date(2025, 3, 4), "ATM WITHDRAWAL 0423 MAIN ST", "-100.00"),
        tx("w2", dt.date(2025, 3, 6), "ATM WITHDRAWAL 0423 MAIN ST", "-100.00"),
    ]
    assert anomalies({"transactions": rows}) == {"anomalies": []}


@pytest.mark.parametrize(
    "description",
    ["ATMOS ENERGY CORP", "CASHMERE CLUB MEMBERSHIP", "CASH APP*J SMITH", "PATMORE DENTAL"],
)
def test_bills_whose_names_contain_the_letters_stay_bills(description: str) -> None:
    assert not is_cash(description, None)
    rows = [
        tx(f"b{i}", add_months(dt.date(2025, 1, 9), i), description, "-45.00") for i in range(4)
    ]
    [found] = insights({"transactions": rows})["recurring"]
    assert (found["cadence"], found["amount"], found["next_date"]) == (
        "monthly",
        "-45.00",
        "2025-05-09",
    )


def test_the_cash_words_and_category() -> None:
    assert all(is_cash(d, None) for d in WITHDRAWALS)
    assert is_cash("LINK 8871", "Cash")
    assert is_cash("LINK 8871", "ATM & cash")
    assert not is_cash("LINK 8871", "Cashback")
    assert not is_cash("SALARY ACME LTD", None)
