"""What the importer reads from a statement's text, for tests that check dates and amounts."""

from __future__ import annotations

from data.importer import ParsedRow, detect, iter_rows


def dated_amounts(text: str) -> list[tuple[str, int]]:
    """(ISO date, amount in minor units) of every row of `text`, in file order; every row must
    parse."""
    out = []
    for row in iter_rows(detect(text.encode())):
        assert isinstance(row, ParsedRow), row
        out.append((row.date.isoformat(), row.amount))
    return out
