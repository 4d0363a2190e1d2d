"""The importer's values: what a statement says (ParsedRow), what went wrong (RowError,
ImportProblem), what was recognised (Mapping) and what still needs an answer (Question).

Plain frozen dataclasses only; this module must never read files or know about the ledger.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class ImportProblem(Exception):
    """The input cannot be read as a statement at all; str(e) is one clear sentence."""


class ThreeDecimals(ImportProblem):
    """The amounts read only with three decimals, and the account's currency has fewer."""


@dataclass(frozen=True)
class ParsedRow:
    """One transaction as the statement states it."""

    line: int  # 1-based line number in the file where the record starts
    date: datetime.date
    amount: int  # minor units, signed: negative = money out of the account
    currency: str | None  # from a currency column, else None (the account's currency applies)
    description: str  # the description columns, joined with " | ", raw text
    balance: int | None = None  # running balance after this row, in minor units, if stated


@dataclass(frozen=True)
class RowError:
    """A record inside the table that could not be read as a transaction."""

    line: int
    reason: str


@dataclass(frozen=True)
class Question:
    """Something the importer will not guess; `choices` are the accepted answers for answer()."""

    key: str
    text: str
    choices: tuple[str, ...]


# Sign conventions of a statement's amount columns.
SIGNED = "signed"  # one amount column, negative = money out
SPEND_POSITIVE = "spend-positive"  # one amount column, positive = money out (credit cards)
DEBIT_CREDIT = "debit-credit"  # two columns: debit (out) and credit (in), both usually unsigned
INDICATOR = "indicator"  # one unsigned amount plus a column saying in/out (D/C, Af/Bij, ...)
SIGN_CONVENTIONS = (SIGNED, SPEND_POSITIVE, DEBIT_CREDIT, INDICATOR)


@dataclass(frozen=True)
class Mapping:
    """Everything recognised about a statement layout; saved as a per-bank profile."""

    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    header_row: int | None = None  # 0-based record index of the header; None = headerless
    data_start: int = 0  # 0-based record index of the first record after the header/preamble
    width: int = 0  # number of fields in a table record
    columns: tuple[str, ...] = ()  # header names (or "column N" when headerless)
    date_column: int = 0
    date_format: str = "%Y-%m-%d"  # strptime format (see dates.py for the extra tokens)
    # False when several formats read every date the same (09/09/2025): a later file with this
    # header must not inherit a reading that nothing decided.
    date_settled: bool = True
    amount_column: int | None = None
    debit_column: int | None = None
    credit_column: int | None = None
    indicator_column: int | None = None
    indicator_out: tuple[str, ...] = ()  # normalised indicator values meaning money out
    indicator_in: tuple[str, ...] = ()  # normalised indicator values meaning money in
    sign: str = SIGNED  # one of SIGN_CONVENTIONS
    decimal: str = "."  # decimal separator: "." or ","
    description_columns: tuple[int, ...] = ()
    balance_column: int | None = None
    currency_column: int | None = None
    currency_exponent: int = 2  # digits after the decimal point in minor units
    newest_first: bool = False  # informational: the statement lists the newest row first
    period: tuple[
        str, ...
    ] = ()  # (first, last) ISO dates stated in the preamble, for year-less dates

    def value_columns(self) -> set[int]:
        """The columns read as the date, money and sign (not the text or the currency)."""
        columns = (
            self.date_column,
            self.amount_column,
            self.debit_column,
            self.credit_column,
            self.indicator_column,
            self.balance_column,
        )
        return {c for c in columns if c is not None}

    def to_json(self) -> str:
        """A JSON string of this mapping, for saving as a profile."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        """The mapping saved by to_json(); unknown keys are ignored; bad input -> ImportProblem."""
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise ImportProblem("The saved import profile is not valid JSON.") from exc
        if not isinstance(raw, dict):
            raise ImportProblem("The saved import profile is not a JSON object.")
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            if not _fits(value, f.default):
                raise ImportProblem(f"The saved import profile has a bad value for {f.name}.")
            values[f.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)

    def with_changes(self, **changes: Any) -> Mapping:
        """A copy with some fields changed (used by the wizard to adjust a mapping)."""
        return replace(self, **changes)


def _fits(value: Any, default: Any) -> bool:
    """True when a profile value has the type of the field's default (None for optional ints)."""
    if default is None:
        return value is None or (isinstance(value, int) and not isinstance(value, bool))
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, tuple):
        return isinstance(value, list | tuple) and all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        )
    return False


@dataclass(frozen=True)
class Detection:
    """The outcome of detect(): the mapping, open questions and the profile key of the header."""

    mapping: Mapping
    questions: tuple[Question, ...]
    profile_key: str  # hash of the normalised header (or of the layout when headerless)
    source: Path | bytes = field(repr=False)
    recognised: tuple[str, ...] = ()  # human-readable lines saying what was recognised
    answers: tuple[tuple[str, str], ...] = ()  # questions answered so far (key, choice)

    @property
    def ready(self) -> bool:
        """True when no question is open and rows can be imported."""
        return not self.questions


@dataclass(frozen=True)
class Preview:
    """The first rows parsed with a mapping, for the wizard and the CLI."""

    rows: list[ParsedRow]
    errors: list[RowError]
    recognised: list[str]
