"""Fingerprints: stable across overlapping statements, distinct for identical purchases."""

from __future__ import annotations

import datetime

from data.importer import Fingerprinter, ParsedRow, detect, iter_rows
from data.importer.fingerprint import normalise_description


def _row(day: int, amount: int, text: str, line: int = 1) -> ParsedRow:
    return ParsedRow(line, datetime.date(2024, 1, day), amount, None, text, None)


def test_identical_purchases_in_one_statement_get_different_fingerprints() -> None:
    fp = Fingerprinter()
    first = fp(_row(2, -350, "Coffee"))
    second = fp(_row(2, -350, "Coffee", line=2))
    assert first != second


def test_overlapping_statements_reproduce_the_same_fingerprints() -> None:
    january = (
        "Date,Description,Amount\n"
        "2024-01-02,Coffee,-3.50\n2024-01-02,Coffee,-3.50\n2024-01-05,Rent,-700.00\n"
    )
    # A later export repeats the overlap (with different spacing and case) and adds a new row.
    later = (
        "Date,Description,Amount\n"
        "2024-01-02,COFFEE ,-3.50\n2024-01-02,coffee,-3.50\n2024-01-05,Rent,-700.00\n"
        "2024-01-09,Coffee,-3.50\n"
    )

    def prints(text: str) -> list[str]:
        fp = Fingerprinter()
        return [fp(r) for r in iter_rows(detect(text.encode())) if isinstance(r, ParsedRow)]

    old, new = prints(january), prints(later)
    assert len(set(old)) == 3
    assert new[:3] == old
    assert new[3] not in old


def test_fingerprint_depends_on_date_amount_and_text() -> None:
    base = Fingerprinter()(_row(2, -350, "Coffee"))
    assert Fingerprinter()(_row(3, -350, "Coffee")) != base
    assert Fingerprinter()(_row(2, -351, "Coffee")) != base
    assert Fingerprinter()(_row(2, -350, "Tea")) != base
    assert Fingerprinter()(_row(2, -350, "  coffee ")) == base


def test_normalise_description() -> None:
    assert normalise_description("  Café\u00a0 CRÈME\t") == "café crème"
    assert normalise_description("ＡＢＣ") == "abc"
