"""The transactions an insights request carries, read and checked once at the boundary.

A request's ``transactions`` is a list of ``{id, date, description, amount}``, plus optional
``category``, ``currency`` and ``payee`` (the ledger's normalised merchant); other fields are
ignored. Amounts arrive as decimal strings and stay exact Decimals here: the insights compare and
echo amounts, and only statistics (ratios, scores) use floats.
This module must never guess at a malformed record: it names the first bad one and refuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from data.payee import normalize_payee
from sidecars.insights.cash import is_cash

# Far more than ten years of anyone's transactions, and still bounded.
MAX_TRANSACTIONS = 500_000
_MAX_TEXT = 1024
_MAX_AMOUNT = Decimal("1e15")


class RecordError(ValueError):
    """A request whose transactions cannot be read; str() is one sentence naming the culprit."""


@dataclass(slots=True, eq=False)  # not frozen: ten years of rows are built per request, fast
class Record:
    """One transaction as the insights see it (treated as immutable; compared by identity)."""

    id: Hashable
    date: dt.date
    amount: Decimal
    description: str
    merchant: str  # display name from the payee normalization, "" when nothing name-like is left
    key: str  # the grouping key: the merchant, case-folded, and the currency when one is given
    category: str | None
    magnitude: float  # the amount's size as a float, for statistics only
    currency: str = ""  # as given ("" when the caller gave none)
    cash: bool = False  # cash out of or into the account (cash.py): never a bill, never charged


def _read_id(value: Any, where: str) -> Hashable:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RecordError(f"{where}: id must be a string or an integer")
    if isinstance(value, str) and not (0 < len(value) <= 128):
        raise RecordError(f"{where}: id must be 1 to 128 characters")
    return value


def _read_date(value: Any, where: str) -> dt.date:
    if not isinstance(value, str) or len(value) != 10:
        raise RecordError(f"{where}: date must be an ISO date like 2024-03-31, got {value!r:.40}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{where}: date {value!r} is not a valid ISO date") from None


def _read_amount(value: Any, where: str) -> Decimal:
    # Floats are refused: money on the wire is a decimal string (or a whole number).
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(f'{where}: amount must be a decimal string like "-12.50"')
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise RecordError(f"{where}: amount {value!r:.40} is not a decimal number") from None
    if not amount.is_finite() or abs(amount) >= _MAX_AMOUNT:
        raise RecordError(f"{where}: amount {value!r:.40} is not a plausible amount of money")
    return amount


def _read_text(value: Any, where: str, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{where}: {field} must be a string")
    return value[:_MAX_TEXT]


def read_records(params: Any) -> list[Record]:
    """The checked records of a request's params, sorted by date, then id."""
    if not isinstance(params, dict):
        raise RecordError("params must be an object with a 'transactions' list")
    rows = params.get("transactions")
    if not isinstance(rows, list):
        raise RecordError("'transactions' must be a list of {id, date, description, amount}")
    if len(rows) > MAX_TRANSACTIONS:
        raise RecordError(f"too many transactions ({len(rows)}); at most {MAX_TRANSACTIONS}")
    records: list[Record] = []
    seen: set[Hashable] = set()
    for index, row in enumerate(rows):
        where = f"transaction {index + 1}"
        if not isinstance(row, dict):
            raise RecordError(f"{where} is not an object")
        ident = _read_id(row.get("id"), where)
        if ident in seen:
            raise RecordError(f"{where}: id {ident!r:.40} appears more than once")
        seen.add(ident)
        description = _read_text(row.get("description"), where, "description")
        category = _read_text(row.get("category"), where, "category") or None
        # The ledger already holds each description's normalised payee; callers may pass it.
        payee = _read_text(row.get("payee"), where, "payee").strip()
        merchant = payee or normalize_payee(description)
        # Charges in different currencies at one merchant are different streams of money.
        currency = _read_text(row.get("currency"), where, "currency").strip().upper()[:8]
        key = f"{merchant.casefold()}|{currency}" if merchant and currency else merchant.casefold()
        amount = _read_amount(row.get("amount"), where)
        records.append(
            Record(
                id=ident,
                date=_read_date(row.get("date"), where),
                amount=amount,
                description=description,
                merchant=merchant,
                key=key,
                category=category,
                magnitude=abs(float(amount)),
                currency=currency,
                cash=is_cash(description, category),
            )
        )
    # Same-day rows in id order, so the answer does not depend on the order rows were sent in
    # (the ledger's ids grow with each import: the later of two identical charges is the copy).
    records.sort(key=lambda r: (r.date, *_id_order(r.id)))
    return records


def _id_order(ident: Hashable) -> tuple[int, int, str]:
    return (0, ident, "") if isinstance(ident, int) else (1, 0, str(ident))
