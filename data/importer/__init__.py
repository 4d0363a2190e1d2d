"""Zero-configuration CSV import: detect a statement's layout, preview it, stream its rows.

Staged for the import wizard: detect() -> preview() -> adjust the Mapping -> iter_rows(). Pure
Python; this package never touches the ledger, Qt or the network.
"""

from data.importer.api import (
    THREE_DECIMAL_CURRENCIES,
    answer,
    detect,
    iter_row_tuples,
    iter_rows,
    preview,
)
from data.importer.columns import header_currency
from data.importer.dateorder import locale_from_env
from data.importer.fingerprint import Fingerprinter
from data.importer.rows import RowTuple
from data.importer.types import (
    Detection,
    ImportProblem,
    Mapping,
    ParsedRow,
    Preview,
    Question,
    RowError,
    ThreeDecimals,
)

__all__ = [
    "THREE_DECIMAL_CURRENCIES",
    "Detection",
    "Fingerprinter",
    "ImportProblem",
    "Mapping",
    "ParsedRow",
    "Preview",
    "Question",
    "RowError",
    "RowTuple",
    "ThreeDecimals",
    "answer",
    "detect",
    "header_currency",
    "iter_row_tuples",
    "iter_rows",
    "locale_from_env",
    "preview",
]
