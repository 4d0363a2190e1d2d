"""The ledger: one SQLite file of accounts, transactions, categories, import batches, import
profiles and rules, behind the `Ledger` API. Never imports Qt, ZeroMQ or a model library."""

from .aggregates import LedgerStats, MonthTotals
from .backup import BackupInfo
from .export import HEADER as EXPORT_HEADER
from .ledger import Ledger
from .tidy import (
    AccountChange,
    AccountDeletion,
    AccountUsage,
    CategoryChange,
    CategoryDeletion,
    CategoryUsage,
)
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
    "EXPORT_HEADER",
    "Account",
    "AccountChange",
    "AccountDeletion",
    "AccountUsage",
    "BackupInfo",
    "Batch",
    "Category",
    "CategoryChange",
    "CategoryDeletion",
    "CategoryUsage",
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
