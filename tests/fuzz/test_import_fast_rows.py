"""The importer's inline row loop (RowReader.read_all) reads every record exactly as the general
path (RowReader.read) does: same rows, same errors, same lines skipped - whatever the cells hold
(a NUL byte included: refused in a cell the mapping reads, ignored in any other)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data.importer import ParsedRow, RowError
from data.importer.rows import RowReader
from data.importer.types import DEBIT_CREDIT, SIGNED, SPEND_POSITIVE, Mapping

DATES = ["2024-01-05", "2024-13-01", "2024-02-30", "", " 2024-01-05", "2024-1-5", "Pending"]
DATES += ["2024-01-05 13:00", "05.01.2024", "Total", "20240105", "2024-01-06"]
AMOUNTS = ["-12.50", "12.50", "0.00", "-0.00", "12.5", "12", "-12", "12.", ".5", "-.5", "+1.00"]
AMOUNTS += ["1,234.56", "1.234,56", "12,50", "-12,50", " 12.50", "12.50 ", "(3.00)", "3.00-"]
AMOUNTS += ["١٢.٥٠", "1_000.00", "00012.00", "12.345", "", "-", "n/a", "£4.00", "4.00 CR"]
AMOUNTS += ["123456789012345.00", "1234567890123456.00", "²3.00", "1e3", "12,345,678.90"]
TEXTS = ["TESCO", "  spaced   out ", "", " ", "Opening balance", "Closing Balance", "Total"]
TEXTS += ["café ＡＢＣ", "a | b", "x\x00y", "\x00", "Balance brought forward", "Pending", "Date"]
CURRENCIES = ["EUR", "eur", "JPY", "KWD", "", "XX", " usd ", "EURO", "€", "E\x00R"]

MAPPINGS = [
    Mapping(
        header_row=0,
        width=4,
        columns=("Date", "Description", "Amount", "Balance"),
        amount_column=2,
        balance_column=3,
        description_columns=(1,),
    ),
    Mapping(
        width=5,
        columns=("column 1", "column 2", "column 3", "column 4", "column 5"),
        amount_column=2,
        description_columns=(1, 3),
        currency_column=4,
        decimal=",",
        sign=SPEND_POSITIVE,
    ),
    Mapping(width=3, columns=("a", "b", "c"), amount_column=1, sign=SIGNED),
    Mapping(
        width=4,
        columns=("a", "b", "c", "d"),
        debit_column=2,
        credit_column=3,
        description_columns=(1,),
        sign=DEBIT_CREDIT,
    ),
]


def _record(width: int) -> st.SearchStrategy[list[str]]:
    cell = st.sampled_from(DATES + AMOUNTS + TEXTS + CURRENCIES) | st.text(max_size=6)
    # mostly full-width records (the inline loop's case), sometimes short or long ones
    size = st.sampled_from([width] * 6 + [width - 1, width + 1, 1, 2])
    return size.flatmap(lambda n: st.lists(cell, min_size=n, max_size=n))


# mostly cells the inline loop reads, so that both of its outcomes are met in every example
LIKELY_DATES = st.sampled_from(["2024-01-05", "2024-01-06"]) | st.sampled_from(DATES)
LIKELY_AMOUNTS = st.sampled_from(["-12.50", "12.50", "3,00", "-0,07"]) | st.sampled_from(AMOUNTS)
LIKELY_TEXTS = st.sampled_from(["TESCO", "Rent"]) | st.sampled_from(TEXTS)
LIKELY_CURRENCIES = st.sampled_from(["EUR", ""]) | st.sampled_from(CURRENCIES)
SPEC = st.fixed_dictionaries(
    {
        "date": LIKELY_DATES,
        "amount": LIKELY_AMOUNTS,
        "other": LIKELY_AMOUNTS,
        "text": LIKELY_TEXTS,
        "text2": LIKELY_TEXTS,
        "currency": LIKELY_CURRENCIES,
        "raw": st.none() | st.integers(0, 3),
    }
)


@pytest.mark.parametrize("mapping", MAPPINGS, ids=lambda m: f"{m.sign}-{m.width}")
@given(specs=st.lists(SPEC, min_size=1, max_size=30), raw=st.data())
def test_inline_loop_reads_like_the_general_path(
    mapping: Mapping, specs: list[dict[str, object]], raw: st.DataObject
) -> None:
    records: list[tuple[int, list[str]]] = []
    for line, spec in enumerate(specs, start=2):
        if spec["raw"] == 0:  # now and then a record of anything at all
            records.append((line, raw.draw(_record(mapping.width))))
            continue
        record = [str(spec["text2"])] * mapping.width
        record[mapping.date_column] = str(spec["date"])
        for column in (mapping.amount_column, mapping.debit_column):
            if column is not None:
                record[column] = str(spec["amount"])
        for column in (mapping.balance_column, mapping.credit_column):
            if column is not None:
                record[column] = str(spec["other"])
        if mapping.description_columns:
            record[mapping.description_columns[0]] = str(spec["text"])
        if mapping.currency_column is not None:
            record[mapping.currency_column] = str(spec["currency"])
        records.append((line, record))
    general = RowReader(mapping)
    expected = [
        item for line, record in records if (item := general.read(line, list(record))) is not None
    ]
    inline = RowReader(mapping)
    got = list(inline.read_all((line, list(record)) for line, record in records))
    assert got == expected
    # the ledger's bulk form: the inline loop's rows as plain tuples of ParsedRow's fields
    bulk = RowReader(mapping).read_tuples((line, list(record)) for line, record in records)
    assert [ParsedRow(*item) if type(item) is tuple else item for item in bulk] == expected
    assert all(type(item) in (ParsedRow, RowError) for item in got)
    # the rows are real, equal-hashing frozen ParsedRows
    for item in got:
        if isinstance(item, ParsedRow):
            assert isinstance(item.date, datetime.date)
            assert hash(item) == hash(ParsedRow(**vars(item)))


def test_inline_loop_counts_nothing_the_general_path_would_count() -> None:
    mapping = MAPPINGS[0]
    records = [
        (2, ["2024-01-05", "Tea", "-1.50", "98.50"]),
        (3, ["", "", "", ""]),
        (4, ["2024-01-05", "Closing balance", "", "98.50"]),
        (5, ["2024-01-06", "Cake", "-2.5", "96.00"]),
        (6, ["Date", "Description", "Amount", "Balance"]),
    ]
    reader = RowReader(mapping)
    rows = list(reader.read_all(records))
    assert [(r.line, r.amount, r.balance) for r in rows if isinstance(r, ParsedRow)] == [
        (2, -150, 9850),
        (5, -250, 9600),
    ]
    assert (reader.skipped.blank, reader.skipped.no_amount, reader.skipped.outside) == (1, 1, 1)
