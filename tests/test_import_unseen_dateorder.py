"""Two-digit-year dates that read both day-first and year-first: the year-first reading takes
its years from the day field and spreads a few weeks of rows over decades, so the compact
reading is the statement's; readings that differ only in day and month stay a question."""

from __future__ import annotations

from data.importer import ParsedRow, detect, iter_rows
from data.importer.dateorder import settle


def test_day_first_two_digit_years_beat_year_first_spread_over_decades() -> None:
    # An Italian current-account export: debit and credit columns, dd/mm/yy dates in order.
    text = (
        "Data,Valuta,Addebiti,Accrediti,Descrizione\n"
        "03/01/18,03/01/18,2.90,,Imposta di bollo\n"
        "13/01/18,13/01/18,250.00,,Ricarica carta\n"
        "23/01/18,23/01/18,,250.00,Bonifico a vostro favore\n"
    )
    detection = detect(text.encode())
    assert not detection.questions
    got = [(r.date.isoformat(), r.amount) for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert got == [("2018-01-03", -290), ("2018-01-13", -25000), ("2018-01-23", 25000)]


def test_compact_reading_is_chosen_by_settle() -> None:
    values = ["03/01/18", "13/01/18", "23/01/18"]
    settled = settle(("%d/%m/%y", "%y/%m/%d"), values)
    assert settled.question is None
    assert settled.date_format == "%d/%m/%y"


def test_day_and_month_ambiguity_is_still_a_question() -> None:
    # Day-first and month-first put these weeks or months apart, never decades: no evidence.
    values = ["01/02/2024", "03/02/2024", "05/02/2024"]
    settled = settle(("%d/%m/%Y", "%m/%d/%Y"), values)
    assert settled.question is not None


def test_a_long_history_is_not_taken_for_compact() -> None:
    # Three years of rows under the day-first reading: not "within a year", so it stays open.
    values = ["05/01/18", "15/06/19", "25/12/20"]
    settled = settle(("%d/%m/%y", "%y/%m/%d"), values)
    assert settled.question is not None
