"""Transactions out as a CSV file that Fincast's own importer reads back with no questions, and
that spreadsheets, hledger and Actual Budget can read too.

One row per transaction, oldest first: date (ISO), account, description (raw, as imported),
vendor (the normalised payee), amount (an exact decimal string from the integer minor units,
e.g. "-12.50", "-1200" yen, "-1.250" dinars), currency, category, category_source. UTF-8 without
a byte-order mark, "\\n" line ends.

Choices, and why:
- The payee column is headed "vendor", not "payee": the importer joins every column whose header
  names a description ("payee" is one, as in many banks' exports), so a "payee" header would come
  back as "DESCRIPTION | Payee" and the round trip would change every description. Tried through
  the round-trip tests: "payee", "merchant", "counterparty", "clean payee" and "paid to/from"
  all fail that way ("TESCO STORES 3297, LONDON | Tesco Stores"); the names that pass ("shop",
  "seller", "trader", "supplier", "party") say no more than "vendor". A "payee" header needs the
  importer to know this file's header (data/importer), not a new name here.
- A text cell starting with = + - @ (or a tab or carriage return) gets one leading space, so
  that a spreadsheet shows it as text instead of running it as a formula (CSV injection). The
  usual advice, a leading apostrophe, would come back through the importer as part of the
  description; a leading space does not (the importer trims cells, and a stored description
  never starts with a space, so the space is always ours). Amounts are numbers and are left as
  they are.
- "\\n" line ends, not the csv module's "\\r\\n": the same inside a quoted cell and between rows,
  and what diff, grep and wc count as lines; every spreadsheet and Fincast's importer read both.
- No byte-order mark: a BOM helps only Excel's double-click guess, and every program that reads
  the file as plain UTF-8 (Python's csv, pandas, hledger) would see it in the first header.

Rows are read in pages inside one read transaction (a consistent snapshot while the desktop
imports), so memory stays bounded whatever the ledger's size. Never writes to the ledger.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from data.money import format_decimal

from .atomic import check_target, replacing
from .types import TxFilter, Txn

if TYPE_CHECKING:
    from .ledger import Ledger

HEADER = (
    "date",
    "account",
    "description",
    "vendor",
    "amount",
    "currency",
    "category",
    "category_source",
)
# the first characters that make a spreadsheet read a cell as a formula (OWASP's list)
FORMULA_START = frozenset("=+-@\t\r")
PROGRESS_EVERY = 5_000  # rows between progress calls: one page of iter_transactions
Progress = Callable[[int], None]


def text_cell(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula (see the module's notes)."""
    return " " + text if text[:1] in FORMULA_START else text


def row(txn: Txn) -> tuple[str, ...]:
    """One transaction's cells, in HEADER's order."""
    return (
        txn.date.isoformat(),
        text_cell(txn.account),
        text_cell(txn.description),
        text_cell(txn.payee),
        format_decimal(txn.amount, txn.currency),
        txn.currency,
        text_cell(txn.category or ""),
        txn.category_source or "",
    )


def write_csv(
    ledger: Ledger, handle: TextIO, flt: TxFilter | None = None, progress: Progress | None = None
) -> int:
    """Write the header and every transaction matching `flt` to `handle`; returns the rows.

    `progress(rows written so far)` is called every PROGRESS_EVERY rows and at the end; it may
    raise to stop the export (the desktop's closing window, a test's simulated failure).
    """
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(HEADER)
    written = 0
    with ledger.snapshot():
        for txn in ledger.iter_transactions(flt, order="date_asc", chunk=PROGRESS_EVERY):
            writer.writerow(row(txn))
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
    if progress is not None:
        progress(written)
    return written


def export_csv(
    ledger: Ledger,
    target: Path | str | TextIO,
    flt: TxFilter | None = None,
    progress: Progress | None = None,
    *,
    overwrite: bool = True,
) -> int:
    """Export the transactions matching `flt` as CSV; returns how many rows were written.

    A path is written atomically (a temporary file beside it, renamed over it when complete,
    private 0600 like the ledger); an open text handle is written as it is, and closing it is
    the caller's business.
    """
    if not isinstance(target, (str, Path)):
        return write_csv(ledger, target, flt, progress)
    path = check_target(Path(target), overwrite=overwrite, ledger=ledger.path)
    # newline="": the csv module writes its own line ends, and a "\n" inside a cell stays one
    with (
        replacing(path, overwrite=overwrite) as temp,
        temp.open("w", encoding="utf-8", newline="") as handle,
    ):
        return write_csv(ledger, handle, flt, progress)
