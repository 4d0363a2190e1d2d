"""Selected transactions as tab-separated text for the clipboard, which pastes into a spreadsheet.

One header line, then one line per row: date (ISO), account, description, amount (the exact
decimal string from integer minor units, "-12.50"), currency, category. A tab or line break
inside a cell becomes a space (it would split the cell or the row on paste), and a text cell that
a spreadsheet would run as a formula gets a leading space, as the CSV export does
(data/ledger/export.py). Pure functions with no Qt: the text of a big selection is built on the
reading lane, never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from data.ledger import TxFilter, Txn
from data.ledger.export import text_cell
from data.money import format_decimal

HEADER = ("date", "account", "description", "amount", "currency", "category")
MAX_ROWS = 100_000  # past this a clipboard is the wrong tool; Export… writes a file
FETCH_CHUNK = 5_000  # rows per query when the selection is read from the ledger

_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})

Span = tuple[int, int]  # first and last row, inclusive


def cell(text: str) -> str:
    """`text` as one pasteable cell: no tab or line break, never a formula."""
    return text_cell(text.translate(_BREAKS))


def line(txn: Txn) -> str:
    """One transaction's tab-separated line, in HEADER's order (no line end)."""
    return "\t".join(
        (
            txn.date.isoformat(),
            cell(txn.account),
            cell(txn.description),
            format_decimal(txn.amount, txn.currency),
            txn.currency,
            cell(txn.category or ""),
        )
    )


def tsv(txns: Iterable[Txn]) -> str:
    """The header and one line per transaction, each ended by a newline."""
    return "".join(f"{row}\n" for row in ("\t".join(HEADER), *(line(t) for t in txns)))


def merge(spans: Iterable[Span]) -> list[Span]:
    """Row spans sorted and joined where they touch or overlap."""
    out: list[Span] = []
    for first, last in sorted(spans):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def rows_in(spans: Iterable[Span]) -> int:
    """How many rows the (merged) spans hold."""
    return sum(last - first + 1 for first, last in spans)


def read_txns(ledger: Any, flt: TxFilter, order: str, spans: list[Span]) -> list[Txn]:
    """The transactions in the spans of the table showing `flt` in `order`, read from the
    ledger in chunks inside one snapshot (on the reading lane)."""
    txns: list[Txn] = []
    with ledger.snapshot():
        for first, last in spans:
            offset = first
            while offset <= last:
                limit = min(FETCH_CHUNK, last - offset + 1)
                page = ledger.transactions(flt, offset=offset, limit=limit, order=order)
                txns.extend(page)
                if len(page) < limit:
                    break  # the table was longer than the ledger is now
                offset += limit
    return txns


def read(ledger: Any, flt: TxFilter, order: str, spans: list[Span]) -> tuple[int, str]:
    """(rows read, their text) for the spans, as read_txns reads them."""
    txns = read_txns(ledger, flt, order, spans)
    return len(txns), tsv(txns)
