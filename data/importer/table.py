"""The table region: which records of the sniff window are transactions, how wide the table is,
and which record (if any) is its header; everything before is preamble.

Works on the sniff window's records only and never decides what a column means (columns.py does).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from data.importer import amounts, dates
from data.importer.types import ImportProblem

Record = tuple[int, list[str]]


@dataclass(frozen=True)
class Region:
    """Where the table is in the sniff window's records."""

    width: int
    header_index: int | None  # index into the records, None when headerless
    data_start: int  # index of the first record after the header (or the first data record)
    data: list[list[str]]  # the transaction-like records of the window, padded to `width`


def is_blank(record: list[str]) -> bool:
    """True for a record with no text in any field."""
    return not any(cell.strip() for cell in record)


MAX_COLUMNS = 256  # statements have tens of columns; thousands mean this is not one


def looks_like_transaction(record: list[str], yearless_numeric: bool = False) -> bool:
    """A record with a date in one field and an amount in another."""
    if len(record) > MAX_COLUMNS:
        return False
    date_at = [i for i, cell in enumerate(record) if dates.looks_like_date(cell, yearless_numeric)]
    if not date_at:
        return False
    return any(
        i not in date_at and amounts.looks_like_amount(cell) and not amounts.is_blank(cell)
        for i, cell in enumerate(record)
    )


def _text_like(record: list[str]) -> bool:
    """A header candidate: mostly words, not dates or numbers."""
    filled = [c.strip() for c in record if c.strip()]
    if len(filled) < 2:
        return False
    words = sum(
        1 for c in filled if not dates.looks_like_date(c) and not amounts.looks_like_amount(c)
    )
    # Headers are words; one odd numeric name is tolerated in a wide header.
    return words >= len(filled) - (1 if len(filled) >= 6 else 0)


def find_region(records: list[Record], yearless_numeric: bool = False) -> Region:
    """Locate the table in the window's records; no table at all -> ImportProblem."""
    rows = [fields for _, fields in records]
    if rows and min(len(r) for r in rows) > MAX_COLUMNS:
        raise ImportProblem(
            f"Every line has more than {MAX_COLUMNS} fields, so this is not a bank statement."
        )
    flags = [looks_like_transaction(r, yearless_numeric) for r in rows]
    widths = Counter(len(r) for r, ok in zip(rows, flags, strict=True) if ok)
    if not widths:
        if any(_text_like(r) for r in rows) and len([r for r in rows if not is_blank(r)]) <= 2:
            raise ImportProblem("The file has a header but no transaction rows.")
        raise ImportProblem(
            "No transactions found: no line has both a date and an amount; it is not a statement."
        )
    width = max(widths.items(), key=lambda wc: (wc[1], wc[0]))[0]
    slack = max(1, width // 4)
    first = next(i for i, r in enumerate(rows) if flags[i] and len(r) == width)
    # Transactions just above the first full-width one, a field or two wider or narrower (an
    # old ING export's first row carried two more notes), belong to the table: without a
    # header they would be taken for preamble and silently lost. Their date must sit where the
    # table's does, which a title line's ("Statement 2023-06-30;12345678") does not.
    date_at = {i for i, c in enumerate(rows[first]) if dates.looks_like_date(c, yearless_numeric)}
    while (
        first > 0
        and flags[first - 1]
        and abs(len(rows[first - 1]) - width) <= slack
        and any(
            dates.looks_like_date(c, yearless_numeric)
            for i, c in enumerate(rows[first - 1])
            if i in date_at
        )
    ):
        first -= 1
    header_index: int | None = None
    probe = first - 1
    while probe >= 0 and first - probe <= 8:
        record = rows[probe]
        named = sum(1 for c in record if c.strip())
        if _text_like(record) and len(record) >= width / 2 and named >= max(2, width / 2):
            header_index = probe
            break
        # Status lines ("Pending ...") and separators may sit between the header and the rows.
        probe -= 1
    data_start = header_index + 1 if header_index is not None else first
    data = [
        r + [""] * (width - len(r))
        for i, r in enumerate(rows)
        if i >= first and flags[i] and abs(len(r) - width) <= slack
    ]
    return Region(width=width, header_index=header_index, data_start=data_start, data=data)
