"""bench/categorize.py's own parts: reading a labeled file of another shape, and the reliability
table it reports for sets never seen. Small inline data, exact expected outputs."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _bench() -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("categorize")


def test_unsigned_amounts_take_their_sign_from_a_debit_credit_column(tmp_path: Path) -> None:
    labeled = tmp_path / "mint.csv"
    labeled.write_text(
        "Date,Description,Amount,Transaction Type,Category,Account Name\n"
        "2018-01-02,Mortgage Payment,1247.44,debit,Mortgage & Rent,Checking\n"
        "2018-01-01,Biweekly Paycheck,2000,credit,Paycheck,Checking\n"
        "2018-01-03,Refund,-5.00,debit,Shopping,Card\n",
        encoding="utf-8",
    )
    assert _bench().load(labeled) == [
        ("2018-01-01", 1, "Biweekly Paycheck", 2000.0, "Paycheck", ""),
        ("2018-01-02", 0, "Mortgage Payment", -1247.44, "Mortgage & Rent", ""),
        ("2018-01-03", 2, "Refund", -5.0, "Shopping", ""),  # already signed: left as it is
    ]


def test_day_first_dates_sort_in_time_and_income_expense_gives_the_sign(tmp_path: Path) -> None:
    # Money Manager's export: day first, a time on some rows, amounts unsigned beside Income/Expense
    labeled = tmp_path / "money_manager.csv"
    labeled.write_text(
        "Date,Mode,Category,Subcategory,Note,Amount,Income/Expense,Currency\n"
        "20-09-2018 12:04,Cash,Transportation,Train,Train ticket,30,Expense,INR\n"
        "21-06-2018,Bank,Salary,,From workplace,70255,Income,INR\n"
        "13-09-2018,Bank,Small cap fund,,SIP,5000,Transfer-Out,INR\n",
        encoding="utf-8",
    )
    assert _bench().load(labeled) == [
        ("2018-06-21", 1, "From workplace", 70255.0, "Salary", ""),
        ("2018-09-13", 2, "SIP", -5000.0, "Small cap fund", ""),
        ("2018-09-20", 0, "Train ticket", -30.0, "Transportation", ""),
    ]


def test_date_order_is_what_the_file_proves() -> None:
    iso_dates = _bench().iso_dates
    # A second field over 12 proves month first (US exports); year first is kept as it is.
    assert iso_dates(["1/15/2018", "2/3/18", "2018-01-02T10:00:00"]) == [
        "2018-01-15",
        "2018-02-03",
        "2018-01-02",
    ]
    # Nothing proves it: day first. Not a date: its first ten characters, as before.
    assert iso_dates(["01.02.2018", "3/4/2019", "yesterday afternoon"]) == [
        "2018-02-01",
        "2019-04-03",
        "yesterday ",
    ]


def test_reliability_bins_and_confident_mistakes() -> None:
    truth = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    conf = [0.95, 0.92, 0.6, 0.4, 1.0]
    assert _bench().reliability(truth, pred, conf) == {
        "bins": [
            {"from": 0.3, "to": 0.5, "n": 1, "confidence": 0.4, "accuracy": 1.0},
            {"from": 0.5, "to": 0.7, "n": 1, "confidence": 0.6, "accuracy": 1.0},
            {"from": 0.9, "to": 1.0, "n": 3, "confidence": 0.9567, "accuracy": 0.3333},
        ],
        "confident_wrong_share": 0.4,
    }
