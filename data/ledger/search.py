"""Listing and counting transactions: which plan answers a filter, text filters above all.

A text filter can be answered three ways, cheapest first: walking the first rows in the page's
order (common text is found at once), the marks a count of the same text left (marks.py), or the
FTS5 trigram index (tx_text), paged inside the index where the filter allows it. Imports leave
their rows out of the text index (schema._INDEXED); a search catches it up first when the ledger
can be written at once, and otherwise searches the rows above its mark directly.

These are the Ledger's own reads: each function takes the Ledger, and uses its connection from
the thread the Ledger is used from.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from . import queries
from .connection import BUSY_MS
from .schema import ACCOUNT_MASK, DAY_SHIFT, TEXT_INDEX_STATE, TEXT_ROW
from .types import LedgerError, Order, TxFilter, Txn

if TYPE_CHECKING:
    from .ledger import Ledger

# rows a text filter checks directly before asking the full-text index (~10 ms of work)
PROBE_ROWS = 5_000
# A search catches the text index up first (schema._INDEXED) if it can start writing within
# this long; while another connection writes (an import), it searches the new rows directly.
CATCH_UP_WAIT_MS = 50
# rows the text index takes per statement when catching up: sorting them into key order stays
# small, and the ranges of a date-ordered import follow each other in key order anyway
CATCH_UP_ROWS = 50_000
INDEX_TEXT = (
    "INSERT INTO tx_text (rowid, description, payee) "
    f"SELECT {TEXT_ROW.format(row='transactions')} FROM transactions "
    "WHERE id > ? AND id <= ? ORDER BY 1"
)
_log = logging.getLogger(__name__)


def page(ledger: Ledger, flt: TxFilter, order: Order, offset: int, limit: int) -> list[Txn]:
    """One page of transactions matching `flt` in `order` (checked by the caller)."""
    upto: int | None = None
    ids = _marked_page(ledger, flt, order, offset, limit)
    if ids is None:
        probed = _probe_text(ledger, flt, order, offset + limit)
        if probed is not None:
            ids = probed[0][offset : offset + limit]
        else:
            upto = _text_upto(ledger, flt)
            if upto is None:
                ids = _text_page(ledger, flt, order, offset, limit)
    if ids is not None:
        if not ids:
            return []
        flt, offset = TxFilter(ids=tuple(ids)), 0
    where_sql, params = _where(ledger, flt, upto)
    rows = ledger._conn.execute(queries.page_sql(where_sql, order), [*params, limit, offset])
    return [queries.row_to_txn(row) for row in rows]


def count(ledger: Ledger, flt: TxFilter) -> int:
    """How many transactions match `flt`."""
    conn = ledger._conn
    probed = _probe_text(ledger, flt, "date_desc", PROBE_ROWS + 1)
    if probed is not None and probed[1]:
        return len(probed[0])
    upto = _text_upto(ledger, flt)
    keys = text_keys(ledger, flt) if upto is None else None
    if keys is not None:
        # the index counts its own matches, no join with the rows needed
        if conn.in_transaction:
            sql, params = keys.sql()
            return int(conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0])
        counted = ledger._marks.count(conn, keys)
        if counted is not None:
            return counted
        # rows were added since _text_upto looked: search around the index's mark
        upto = int(conn.execute("SELECT upto FROM text_indexed").fetchone()[0])
    where_sql, params = _where(ledger, flt, upto)
    row = conn.execute(f"SELECT count(*) FROM transactions t{where_sql}", params)
    return int(row.fetchone()[0])


def totals(ledger: Ledger, flt: TxFilter) -> list[tuple[str, int]]:
    """(currency, sum of amounts in its minor units) of the transactions matching `flt`, the
    currency with most rows first: sums never mix currencies."""
    where_sql, params = _where(ledger, flt, _text_upto(ledger, flt))
    rows = ledger._conn.execute(
        f"SELECT t.currency, sum(t.amount) FROM transactions t{where_sql} "
        "GROUP BY t.currency ORDER BY count(*) DESC, t.currency",
        params,
    )
    return [(currency, int(total)) for currency, total in rows]


def index_text(ledger: Ledger, wait_ms: int = BUSY_MS, chunks: int | None = None) -> int:
    """Put the text of rows added since the text index last caught up into it; returns how many
    rows it took (see Ledger.index_text)."""
    indexed = 0
    for _ in itertools.count() if chunks is None else range(chunks):
        with ledger._write(wait_ms) as conn:
            upto, top = conn.execute(TEXT_INDEX_STATE).fetchone()
            if top <= upto:
                return indexed
            end = min(upto + CATCH_UP_ROWS, top)
            indexed += conn.execute(INDEX_TEXT, (upto, end)).rowcount
            conn.execute("UPDATE text_indexed SET upto = ?", (end,))
    return indexed


def _text_upto(ledger: Ledger, flt: TxFilter) -> int | None:
    """For a text filter: None when the text index holds every row (catching it up first
    when the ledger can be written at once), else its mark, above which rows are searched
    directly. Filters without text that the index could answer: None."""
    if not queries.indexed(flt.text):
        return None
    conn = ledger._conn
    upto, top = conn.execute(TEXT_INDEX_STATE).fetchone()
    if top <= upto:
        return None
    if conn.in_transaction:
        return int(upto)
    try:
        index_text(ledger, CATCH_UP_WAIT_MS)
        return None
    except LedgerError:
        pass  # another connection is writing: search around the index
    except sqlite3.OperationalError as exc:  # e.g. a full disk: the search still works
        _log.warning("the text index could not catch up (%s); searching around it", exc)
    # the catch-up may have done part of its work
    return int(conn.execute("SELECT upto FROM text_indexed").fetchone()[0])


def _where(ledger: Ledger, flt: TxFilter, text_upto: int | None = None) -> tuple[str, list[Any]]:
    account_id = ledger._account_id(flt.account) if flt.account is not None else None
    # an unknown category simply matches nothing (id -1), unlike an unknown account,
    # which is almost always a typo worth reporting
    category_id = None
    if flt.category is not None:
        found = ledger._category_id(flt.category)
        category_id = found if found is not None else -1
    return queries.where(flt, account_id, category_id, text_upto)


def _probe_text(
    ledger: Ledger, flt: TxFilter, order: Order, wanted: int
) -> tuple[list[int], bool] | None:
    """Matches of a text filter among the first rows in `order`, when that settles it.

    The trigram index is quick for rare text but has to gather every match of common text
    (0.1-1 s at a million rows), while walking the ordered rows finds common text at once.
    So the first PROBE_ROWS rows (other filters applied) are checked here: if they hold the
    `wanted` first matches, or are all the rows there are, the answer is exact and returned
    as (ids in order, complete); otherwise None and the index answers.
    """
    if not flt.text or len(flt.text) < queries.TRIGRAM:
        return None
    needle = flt.text.lower()
    where_sql, params = _where(ledger, dataclasses.replace(flt, text=None))
    rows = ledger._conn.execute(
        f"SELECT t.id, t.description, t.payee FROM transactions t{where_sql} "
        f"ORDER BY {queries.ORDER_SQL[order]} LIMIT ?",
        [*params, PROBE_ROWS],
    ).fetchall()
    ids = [i for i, desc, payee in rows if needle in desc.lower() or needle in payee.lower()]
    complete = len(rows) < PROBE_ROWS
    if complete or len(ids) >= wanted:
        return ids, complete
    return None


def text_keys(ledger: Ledger, flt: TxFilter) -> queries.TextKeys | None:
    """The text index's own query for a text filter with at most a date range and an
    account besides; None when the filter needs the general plan.

    The index's keys (schema.TEXT_KEY) hold the day, the id and the account's low bits, so
    a date range is a key range and an account a test on the key. An account that shares
    its low bits with another one cannot be told apart that way: the general plan answers.
    """
    if not queries.indexed(flt.text):
        return None
    rest = dataclasses.replace(flt, text=None, date_from=None, date_to=None, account=None)
    if rest != TxFilter():
        return None
    bits = None
    if flt.account is not None:
        bits = ledger._account_id(flt.account) & ACCOUNT_MASK
        (sharing,) = ledger._conn.execute(
            f"SELECT count(*) FROM accounts WHERE (id & {ACCOUNT_MASK}) = ?", (bits,)
        ).fetchone()
        if sharing > 1:
            return None
    low = high = None
    if flt.date_from is not None:
        low = queries.day_key(flt.date_from)
    if flt.date_to is not None:  # the next day's first key (no date past 9999-12-31 needed)
        high = queries.day_key(flt.date_to) + (1 << DAY_SHIFT)
    return queries.TextKeys(queries.phrase(flt.text), low, high, bits)


def _text_page(
    ledger: Ledger, flt: TxFilter, order: Order, offset: int, limit: int
) -> list[int] | None:
    """Ids of one page of a text filter in date order, paged inside the text index, whose
    keys are in (date, id) order; None when the filter or the order needs the general plan.

    The general plan walks the date index and tests every row against the matches, so a
    deep page of common text passes most of the ledger; here the index skips the matches
    before the page and reads nothing else.
    """
    if order not in ("date_desc", "date_asc"):
        return None
    keys = text_keys(ledger, flt)
    if keys is None:
        return None
    return ledger._marks.walk(ledger._conn, keys, order == "date_asc", offset, limit)


def _marked_page(
    ledger: Ledger, flt: TxFilter, order: Order, offset: int, limit: int
) -> list[int] | None:
    """Ids of one page of a text filter in date order from the marks its last count left
    (see marks.py), when they are valid for the ledger as it is; else None."""
    marks, conn = ledger._marks, ledger._conn
    if order not in ("date_desc", "date_asc") or not marks or conn.in_transaction:
        return None
    keys = text_keys(ledger, flt)
    if keys is None:
        return None
    return marks.page(conn, keys, order == "date_asc", offset, limit)
