"""Values the ledger hands out and takes in: accounts, transactions, filters, import results.

Plain frozen dataclasses with no behaviour that touches SQLite; money is always integer minor units
plus a currency code, never a float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

CategorySource = Literal["rule", "model", "user"]
CategorizeState = Literal["pending", "done", "skipped"]
Order = Literal["date_desc", "date_asc", "amount_asc", "amount_desc", "id_asc"]
RuleField = Literal["description", "payee"]
RuleOp = Literal["contains", "exact", "regex"]


class LedgerError(Exception):
    """A problem the user can act on (bad input, unknown account, locked or foreign database)."""


class ImportRejected(LedgerError):
    """A file was refused as a whole; nothing of it was stored."""

    def __init__(self, message: str, *, errors: tuple[RowErrorInfo, ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors


class UnansweredQuestions(ImportRejected):
    """The importer needs a decision (e.g. day-first or month-first) that nobody has made yet."""

    def __init__(self, message: str, *, questions: tuple[QuestionInfo, ...]) -> None:
        super().__init__(message)
        self.questions = questions


@dataclass(frozen=True)
class RowErrorInfo:
    """One refused row: its 1-based line in the file and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class QuestionInfo:
    """One open question from the importer, as the CLI and the wizard show it."""

    key: str
    text: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Account:
    """A bank account or card; every transaction belongs to exactly one."""

    id: int
    name: str
    currency: str


@dataclass(frozen=True)
class Category:
    """A spending or income category, referred to by name everywhere outside the ledger."""

    id: int
    name: str


@dataclass(frozen=True)
class Txn:
    """One stored transaction; `description` is the statement's raw text and is never changed."""

    id: int
    account: str
    date: dt.date
    amount: int
    currency: str
    description: str
    payee: str
    category: str | None
    category_source: CategorySource | None
    confidence: float | None
    suggestion: str | None
    categorize_state: CategorizeState
    batch_id: int | None
    fingerprint: str
    line: int | None = None
    balance: int | None = None
    reasons: tuple[str, ...] = ()  # the categorizer's, for its own answers; empty otherwise


@dataclass(frozen=True)
class TxFilter:
    """Which transactions to list or count; every field left None means 'any'."""

    account: str | None = None
    date_from: dt.date | None = None  # inclusive
    date_to: dt.date | None = None  # inclusive
    text: str | None = None  # case-insensitive substring of description or payee
    category: str | None = None
    uncategorized: bool = False
    low_confidence: float | None = None  # model/rule categories with confidence below this
    ids: tuple[int, ...] | None = None
    batch_id: int | None = None
    categorize_state: CategorizeState | None = None
    # the amount's size, money in or out alike, inclusive ("49.99" finds -49.99 and 49.99), in
    # each row's own currency: exact decimals, never floats
    amount_from: Decimal | None = None
    amount_to: Decimal | None = None


@dataclass(frozen=True)
class Prediction:
    """A categorizer's verdict on one transaction (H5's loop hands these to apply_predictions)."""

    txn_id: int
    category: str | None  # None = not confident enough to assign; `suggestion` may still be set
    confidence: float | None = None
    source: CategorySource = "model"
    suggestion: str | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Batch:
    """One imported file."""

    id: int
    account: str
    file_name: str
    sha256: str | None
    profile_key: str | None
    imported: int
    duplicates: int
    created: str


@dataclass(frozen=True)
class ImportResult:
    """What one committed file added: counts, the batch to undo it, and the profile it used."""

    batch_id: int  # recorded even when every row was a duplicate, so the attempt is visible
    account: str
    source_name: str
    imported: int
    duplicates: int
    profile_key: str | None
    errors: tuple[RowErrorInfo, ...] = field(default=())


@dataclass(frozen=True)
class Rule:
    """A stored categorization rule; the matching engine lives in data/rules.py, not here."""

    id: int
    position: int
    field: RuleField
    op: RuleOp
    pattern: str
    category: str | None
    amount_min: int | None = None
    amount_max: int | None = None
    account: str | None = None
    rename_payee: str | None = None
    currency: str | None = None  # what amount_min/amount_max are minor units of (None: no limits)
