"""The ledger: one SQLite file of accounts, transactions, categories, import batches, import
profiles and rules, behind the `Ledger` API. Never imports Qt, ZeroMQ or a model library."""

from .aggregates import LedgerStats, MonthTotals
from .ledger import Ledger
from .types import (
    Account,
    Batch,
    Category,
    ImportRejected,
    ImportResult,
    LedgerError,
    Prediction,
    QuestionInfo,
    RowErrorInfo,
    Rule,
    TxFilter,
    Txn,
    UnansweredQuestions,
)

__all__ = [
    "Account",
    "Batch",
    "Category",
    "ImportRejected",
    "ImportResult",
    "Ledger",
    "LedgerError",
    "LedgerStats",
    "MonthTotals",
    "Prediction",
    "QuestionInfo",
    "RowErrorInfo",
    "Rule",
    "TxFilter",
    "Txn",
    "UnansweredQuestions",
]
