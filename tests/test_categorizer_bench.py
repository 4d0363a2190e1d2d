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
