"""What was recognised, in sentences for the wizard's and the CLI's preview.

Only formats a Mapping; never decides anything.
"""

from __future__ import annotations

from data.importer.types import DEBIT_CREDIT, INDICATOR, SPEND_POSITIVE, Mapping


def column_names(header: list[str] | None, width: int) -> tuple[str, ...]:
    """The header names padded to the table width, or "column N" when headerless."""
    if header is None:
        return tuple(f"column {i + 1}" for i in range(width))
    padded = [h.strip() for h in header] + [""] * max(0, width - len(header))
    return tuple(padded[:width] if len(padded) > width else padded)


def _column_name(mapping: Mapping, index: int | None) -> str:
    if index is None:
        return "?"
    name = mapping.columns[index] if index < len(mapping.columns) else ""
    return repr(name) if name else f"column {index + 1}"


_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}


def describe(m: Mapping) -> tuple[str, ...]:
    """Sentences saying what `m` recognised, for previews."""
    separator = _DELIMITER_NAMES.get(m.delimiter, repr(m.delimiter))
    lines = [
        f"Encoding {m.encoding}; fields separated by {separator}.",
        (
            f"Header is record {m.header_row + 1} of the file; table of {m.width} columns."
            if m.header_row is not None
            else f"No header row; table of {m.width} columns."
        ),
        f"Date: {_column_name(m, m.date_column)} as {m.date_format}.",
    ]
    sep = "decimal comma" if m.decimal == "," else "decimal point"
    if m.sign == DEBIT_CREDIT:
        lines.append(
            f"Money out: {_column_name(m, m.debit_column)}; money in: "
            f"{_column_name(m, m.credit_column)} ({sep})."
        )
    elif m.sign == INDICATOR:
        lines.append(
            f"Amount: {_column_name(m, m.amount_column)}, in/out from "
            f"{_column_name(m, m.indicator_column)} ({sep})."
        )
    else:
        how = "positive = spending" if m.sign == SPEND_POSITIVE else "negative = money out"
        lines.append(f"Amount: {_column_name(m, m.amount_column)} ({how}, {sep}).")
    if m.balance_column is not None:
        lines.append(f"Running balance: {_column_name(m, m.balance_column)}.")
    if m.currency_column is not None:
        lines.append(f"Currency: {_column_name(m, m.currency_column)}.")
    if m.description_columns:
        lines.append(
            "Description: " + ", ".join(_column_name(m, i) for i in m.description_columns) + "."
        )
    return tuple(lines)
