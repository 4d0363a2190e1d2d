"""SQL for listing and counting transactions: a TxFilter becomes a WHERE clause with parameters.

Paging runs the ORDER BY/OFFSET over the narrow covering indexes first and joins the wide columns
only for the page it returns, so a deep page of a 1,000,000-row ledger costs an index walk, not a
million joined rows. Never formats user text into SQL: everything user-given is a parameter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any, TypeGuard

from data.money import EXPONENTS

from .schema import ACCOUNT_MASK, DAY_SHIFT, KEY_ID
from .types import Order, TxFilter, Txn

ORDER_SQL: dict[str, str] = {
    "date_desc": "t.date DESC, t.id DESC",
    "date_asc": "t.date ASC, t.id ASC",
    "amount_asc": "t.amount ASC, t.id ASC",
    "amount_desc": "t.amount DESC, t.id DESC",
    "id_asc": "t.id ASC",  # import order: what the categorize queue walks (partial index)
}

COLUMNS = """
SELECT t.id, a.name, t.date, t.amount, t.currency, t.description, t.payee, c.name,
       t.category_source, t.confidence, s.name, t.categorize_state, t.batch_id, t.fingerprint,
       t.line, t.balance, t.reasons
"""
JOINS = """
JOIN accounts a ON a.id = t.account_id
LEFT JOIN categories c ON c.id = t.category_id
LEFT JOIN categories s ON s.id = t.suggestion_id
"""


TRIGRAM = 3  # the full-text index can answer substrings at least this long


def indexed(text: str | None) -> TypeGuard[str]:
    """Whether the full-text index answers a text filter of `text`: long enough, and free of
    NUL, at which FTS5 ends a query (and LIKE a pattern) and its tokenizer a row's text."""
    return text is not None and len(text) >= TRIGRAM and "\x00" not in text


def phrase(text: str) -> str:
    """`text` as one FTS5 phrase: with the trigram tokenizer, a case-insensitive substring."""
    return '"' + text.replace('"', '""') + '"'


# julianday('YYYY-MM-DD') cast to an integer, as schema.TEXT_KEY computes a row's day, is the
# date's proleptic Gregorian ordinal plus this (year 1 to 9999)
_JULIAN_DAY_OF_ORDINAL_0 = 1721424


def day_key(day: dt.date) -> int:
    """The smallest text-index key (schema.TEXT_KEY) of a row dated `day`."""
    return (day.toordinal() + _JULIAN_DAY_OF_ORDINAL_0) << DAY_SHIFT


@dataclasses.dataclass(frozen=True)
class TextKeys:
    """A text filter that the text index answers alone: its phrase, the key range its dates
    make, and the account bits its account makes (see schema.TEXT_KEY). Hashable, so that it
    can name the filter's marks (see marks.py)."""

    phrase: str
    low: int | None = None  # first key of the date range
    high: int | None = None  # keys from here on are past the date range
    account_bits: int | None = None

    def sql(self, after: int | None = None, before: int | None = None) -> tuple[str, list[Any]]:
        """'FROM tx_text WHERE ...' and its parameters; with `after` or `before` (keys inside
        the range), only keys above or below it. One bound each way at most: FTS5 seeks on
        one, and filters on any other rowid condition row by row."""
        sql = "FROM tx_text WHERE tx_text MATCH ?"
        params: list[Any] = [self.phrase]
        if after is not None:
            sql += " AND rowid > ?"
            params.append(after)
        elif self.low is not None:
            sql += " AND rowid >= ?"
            params.append(self.low)
        if before is not None:
            sql += " AND rowid < ?"
            params.append(before)
        elif self.high is not None:
            sql += " AND rowid < ?"
            params.append(self.high)
        if self.account_bits is not None:
            sql += f" AND (rowid & {ACCOUNT_MASK}) = ?"
            params.append(self.account_bits)
        return sql, params


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where(
    flt: TxFilter, account_id: int | None, category_id: int | None, text_upto: int | None = None
) -> tuple[str, list[Any]]:
    """WHERE clause (or '') and its parameters; names are already resolved to ids by the caller.

    `text_upto` is None when the text index holds every row, else its mark: rows above it are
    searched directly (see schema._INDEXED).
    """
    parts: list[str] = []
    params: list[Any] = []
    if flt.account is not None:
        parts.append("t.account_id = ?")
        params.append(account_id)
    if flt.date_from is not None:
        parts.append("t.date >= ?")
        params.append(flt.date_from.isoformat())
    if flt.date_to is not None:
        parts.append("t.date <= ?")
        params.append(flt.date_to.isoformat())
    if flt.text:
        text_sql, text_params = _text_clause(flt.text, text_upto)
        parts.append(text_sql)
        params += text_params
    if flt.category is not None:
        parts.append("t.category_id = ?")
        params.append(category_id)
    if flt.uncategorized:
        parts.append("t.category_id IS NULL")
    if flt.low_confidence is not None:
        parts.append(
            "t.confidence IS NOT NULL AND t.confidence < ? "
            "AND coalesce(t.category_source, '') != 'user'"
        )
        params.append(flt.low_confidence)
    if flt.ids is not None:
        parts.append(f"t.id IN ({','.join('?' * len(flt.ids))})" if flt.ids else "0")
        params += list(flt.ids)
    if flt.batch_id is not None:
        parts.append("t.batch_id = ?")
        params.append(flt.batch_id)
    if flt.amount_from is not None or flt.amount_to is not None:
        amount_sql, amount_params = _amount_clause(flt.amount_from, flt.amount_to)
        parts.append(amount_sql)
        params += amount_params
    if flt.categorize_state is not None:
        if flt.categorize_state not in ("pending", "done", "skipped"):
            raise ValueError(f"unknown categorize_state {flt.categorize_state!r}")
        # a literal, not a parameter: only then can SQLite use the partial 'pending' index
        parts.append(f"t.categorize_state = '{flt.categorize_state}'")
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


# An amount's size in thousandths of its currency's unit, whatever its minor unit (yen have none,
# dinars three): integers compared with integers, exact. Currencies with more than three
# decimals (none in everyday use) are compared in thousandths too, rounded down.
def _thousandths() -> str:
    by_exponent: dict[int, list[str]] = {}
    for code, exponent in sorted(EXPONENTS.items()):
        by_exponent.setdefault(exponent, []).append(f"'{code}'")
    cases = "".join(
        f"WHEN t.currency IN ({', '.join(codes)}) THEN {10 ** (3 - exponent)} "
        for exponent, codes in sorted(by_exponent.items())
    )
    return f"abs(t.amount) * (CASE {cases}ELSE 10 END)"


_THOUSANDTHS = _thousandths()


# No stored amount comes near this many thousandths; a bound beyond it (1e999999999, say,
# whose integer would take gigabytes) is cut to it, which changes no answer.
_MOST_THOUSANDTHS = 2**62


def _bound(size: Decimal, *, up: bool) -> int:
    """`size` in thousandths, rounded up (a lower bound) or down (an upper one), within 0 and
    _MOST_THOUSANDTHS (compared before multiplying: Decimal overflows on 1e999999999 * 1000)."""
    if not size.is_finite():
        raise ValueError(f"an amount bound must be a finite number, not {size}")
    if size <= 0:
        return 0 if up or size == 0 else -1  # below zero, an upper bound admits nothing
    if size >= Decimal(_MOST_THOUSANDTHS) / 1000:
        return _MOST_THOUSANDTHS
    scaled = size * 1000
    return math.ceil(scaled) if up else math.floor(scaled)


def _amount_clause(low: Decimal | None, high: Decimal | None) -> tuple[str, list[Any]]:
    """The condition on an amount's size between `low` and `high` (inclusive, either open)."""
    parts, params = [], []
    if low is not None:
        parts.append(f"{_THOUSANDTHS} >= ?")
        params.append(_bound(low, up=True))
    if high is not None:
        parts.append(f"{_THOUSANDTHS} <= ?")
        params.append(_bound(high, up=False))
    return "(" + " AND ".join(parts) + ")", params


def _text_clause(text: str, text_upto: int | None) -> tuple[str, list[Any]]:
    """The text filter's condition and parameters (see `where`)."""
    if "\x00" in text:
        # only a row holding a NUL can match; those are few (imports refuse them), so the
        # exact test runs on them alone
        return (
            "((instr(t.description, char(0)) > 0 OR instr(t.payee, char(0)) > 0) "
            "AND fincast_contains(t.description, t.payee, ?))",
            [text.lower()],
        )
    if len(text) < TRIGRAM:
        return "(t.description LIKE ? ESCAPE '\\' OR t.payee LIKE ? ESCAPE '\\')", [
            _like(text),
            _like(text),
        ]
    # the trigram index finds substrings (case-insensitively) without scanning every row
    indexed = f"t.id IN (SELECT {KEY_ID} FROM tx_text WHERE tx_text MATCH ?)"
    if text_upto is None:
        return indexed, [phrase(text)]
    # rows above the index's mark are not in it yet: those are tested directly
    return (
        f"({indexed} OR (t.id > ? AND fincast_contains(t.description, t.payee, ?)))",
        [phrase(text), text_upto, text.lower()],
    )


def page_sql(where_sql: str, order: Order) -> str:
    """Ids of one page from the narrow table scan, then the joined rows for just those ids."""
    order_sql = ORDER_SQL[order]
    return (
        f"{COLUMNS} FROM (SELECT t.id AS pid FROM transactions t{where_sql} "
        f"ORDER BY {order_sql} LIMIT ? OFFSET ?) page "
        f"CROSS JOIN transactions t ON t.id = page.pid {JOINS} ORDER BY {order_sql}"
    )


def row_to_txn(row: tuple[Any, ...]) -> Txn:
    """A Txn from one row selected with COLUMNS."""
    return Txn(
        id=row[0],
        account=row[1],
        date=dt.date.fromisoformat(row[2]),
        amount=row[3],
        currency=row[4],
        description=row[5],
        payee=row[6],
        category=row[7],
        category_source=row[8],
        confidence=row[9],
        suggestion=row[10],
        categorize_state=row[11],
        batch_id=row[12],
        fingerprint=row[13],
        line=row[14],
        balance=row[15],
        reasons=_reasons(row[16]),
    )


def _reasons(text: str | None) -> tuple[str, ...]:
    """The stored JSON array of reasons; anything unreadable reads as none."""
    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
