"""Israeli card exports name their two dates in Hebrew - the deal's date (תאריך עסקה) and the
date it is charged (תאריך חיוב) - and list purchases as positive amounts: the pair marks a
card as "Transaction Date, Post Date" does."""

from __future__ import annotations

from data.importer import ParsedRow, detect, iter_rows


def test_hebrew_deal_and_charge_dates_mark_a_card_with_positive_purchases() -> None:
    text = (
        "תאריך עסקה,תאריך חיוב,שם בית העסק,סכום עסקה\n"
        "14/05/2024,02/06/2024,מאפייה,18.50\n"
        "20/05/2024,02/06/2024,תחנת דלק,240.00\n"
        "27/05/2024,02/06/2024,ספרים,75.90\n"
    )
    detection = detect(text.encode())
    got = [(r.date.isoformat(), r.amount) for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert got == [("2024-05-14", -1850), ("2024-05-20", -24000), ("2024-05-27", -7590)]


def test_one_hebrew_date_column_is_taken_as_stated() -> None:
    text = (
        "תאריך,תיאור,סכום\n"
        "14/05/2024,משכורת,9000.00\n"
        "20/05/2024,העברה,150.00\n"
        "27/05/2024,ריבית,2.10\n"
    )
    detection = detect(text.encode())
    got = [r.amount for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert got == [900000, 15000, 210]
